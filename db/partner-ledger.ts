import type { Sql } from './client';
import { getPartner } from './partners';
import { openHolds } from './partner-holds';
import { windowKeys } from '../domain/cap-windows';
import { DELIVERY_CHARGE_PREFIX, toCapacityConfig, type Counters, type LedgerSnapshot, type PartnerStart } from '../domain/capacity';

/**
 * Where a partner's capacity stands, from its statement: balance, the next sequence number, charges
 * counted per cap window in the partner's timezone (per assignment too), the recent keys that make
 * payments, credits and later charges idempotent, and the holds still open. A new run of partner-<id> starts from
 * it, so a terminated, reset or lost run carries on where the ledger stands.
 */
export async function ledgerSnapshot(sql: Sql, partnerId: string, timezone: string, now: Date): Promise<LedgerSnapshot> {
  const keys = windowKeys(now.getTime(), timezone);
  const [head] = await sql<{ balance: string | null; seq: string | null }[]>`
    select (array_agg(balance_minor order by seq desc))[1] as balance, max(seq) as seq from partner_transactions where partner_id = ${partnerId}`;
  const counts = await sql<{ total: boolean; assignmentId: string | null; day: string; week: string; month: string; lifetime: string }[]>`
    select grouping(assignment_id) = 1 as total, assignment_id as "assignmentId",
      count(*) filter (where to_char(occurred_at at time zone ${timezone}, 'YYYY-MM-DD') = ${keys.day}) as day,
      count(*) filter (where to_char(date_trunc('week', occurred_at at time zone ${timezone}), 'YYYY-MM-DD') = ${keys.week}) as week,
      count(*) filter (where to_char(occurred_at at time zone ${timezone}, 'YYYY-MM') = ${keys.month}) as month,
      count(*) as lifetime
    from partner_transactions where partner_id = ${partnerId} and kind = 'charge' and starts_with(txn_key, ${DELIVERY_CHARGE_PREFIX})
    group by grouping sets ((), (assignment_id))`;
  const recent = await sql<{ key: string }[]>`
    select txn_key as key from partner_transactions where partner_id = ${partnerId} and not (kind = 'charge' and starts_with(txn_key, ${DELIVERY_CHARGE_PREFIX}))
    order by seq desc limit 2000`;
  const counters = (r: (typeof counts)[number] | undefined): Counters => ({
    day: { key: keys.day, count: Number(r?.day ?? 0) }, week: { key: keys.week, count: Number(r?.week ?? 0) },
    month: { key: keys.month, count: Number(r?.month ?? 0) }, lifetime: Number(r?.lifetime ?? 0),
  });
  return {
    balanceMinor: Number(head?.balance ?? 0),
    nextSeq: Number(head?.seq ?? 0) + 1,
    counters: counters(counts.find((r) => r.total)),
    assignmentCounters: Object.fromEntries(counts.filter((r) => !r.total && r.assignmentId !== null).map((r) => [r.assignmentId!, counters(r)])),
    recentKeys: recent.map((r) => r.key).reverse(),
    reservations: await openHolds(sql, partnerId, now),
  };
}

/** What a partner workflow starts with, from PostgreSQL: its configuration and its ledger. Null for an unknown partner. */
export const partnerStartFromDb = (sql: Sql) => async (partnerId: string): Promise<PartnerStart | null> => {
  const partner = await getPartner(sql, partnerId);
  if (!partner) return null;
  return { config: toCapacityConfig(partner), ledger: await ledgerSnapshot(sql, partnerId, partner.timezone, new Date()) };
};
