import type { Sql } from './client';
import { literalLike } from './like-pattern';
import type { Partner, PartnerStatus } from '../domain/config';
import { inTransaction } from './transaction';
import { isReferencedElsewhere } from './errors';

/** Everything an operator sets on a partner; ids, versions and timestamps are the database's. */
export type PartnerInput = Omit<Partner, 'id' | 'configVersion' | 'createdAt' | 'updatedAt'>;

interface Row {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  address: Partner['address'];
  notes: string | null;
  tags: string[];
  status: PartnerStatus;
  timezone: string;
  billing: Partner['billing'];
  delivery: Partner['delivery'];
  capDay: number | null;
  capWeek: number | null;
  capMonth: number | null;
  capLifetime: number | null;
  schedule: Partner['schedule'];
  creditLimitMinor: string | null;
  lowFundsThresholdMinor: string | null;
  transferPhone: string | null;
  smsNumber: string | null;
  fcaNumber: string | null;
  type: Partner['type'];
  introducerLeadTypeIds: string[];
  circuitBreaker: Partner['circuitBreaker'];
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export const partnerColumns = (sql: Sql, alias = 'partners') => sql`${sql(alias)}.id, ${sql(alias)}.name, email, phone, address, notes, tags, status, timezone,
  billing, delivery, ${sql(alias)}.cap_day as "capDay", ${sql(alias)}.cap_week as "capWeek", ${sql(alias)}.cap_month as "capMonth",
  ${sql(alias)}.cap_lifetime as "capLifetime", schedule, credit_limit_minor as "creditLimitMinor",
  low_funds_threshold_minor as "lowFundsThresholdMinor", transfer_phone as "transferPhone", sms_number as "smsNumber",
  fca_number as "fcaNumber", partner_type as "type", introducer_lead_type_ids as "introducerLeadTypeIds", circuit_breaker as "circuitBreaker",
  ${sql(alias)}.config_version as "configVersion", ${sql(alias)}.created_at as "createdAt",
  ${sql(alias)}.updated_at as "updatedAt"`;

const num = (v: string | null) => (v === null ? null : Number(v));

export const toPartner = (r: Row): Partner => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  address: r.address,
  notes: r.notes,
  tags: r.tags,
  status: r.status,
  timezone: r.timezone,
  billing: r.billing,
  delivery: r.delivery,
  caps: { day: r.capDay, week: r.capWeek, month: r.capMonth, lifetime: r.capLifetime },
  schedule: r.schedule,
  creditLimitMinor: num(r.creditLimitMinor),
  lowFundsThresholdMinor: num(r.lowFundsThresholdMinor),
  transferPhone: r.transferPhone,
  smsNumber: r.smsNumber,
  fcaNumber: r.fcaNumber,
  type: r.type,
  introducerLeadTypeIds: r.introducerLeadTypeIds,
  circuitBreaker: r.circuitBreaker,
  configVersion: r.configVersion,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export type PartnerRow = Row;

const json = (sql: Sql, v: unknown) => (v === null || v === undefined ? null : sql.json(v as never));

export async function insertPartner(sql: Sql, id: string, p: PartnerInput): Promise<Partner> {
  const [row] = await sql<Row[]>`
    insert into partners (id, name, email, phone, address, notes, tags, status, timezone, billing, delivery,
      cap_day, cap_week, cap_month, cap_lifetime, schedule, credit_limit_minor, low_funds_threshold_minor,
      transfer_phone, sms_number, fca_number, partner_type, introducer_lead_type_ids, circuit_breaker)
    values (${id}, ${p.name}, ${p.email}, ${p.phone}, ${json(sql, p.address)}, ${p.notes}, ${p.tags}, ${p.status}, ${p.timezone},
      ${json(sql, p.billing)}, ${json(sql, p.delivery)}, ${p.caps.day}, ${p.caps.week}, ${p.caps.month}, ${p.caps.lifetime},
      ${json(sql, p.schedule)}, ${p.creditLimitMinor}, ${p.lowFundsThresholdMinor}, ${p.transferPhone}, ${p.smsNumber}, ${p.fcaNumber},
      ${p.type ?? 'receiver'}, ${p.introducerLeadTypeIds ?? []}::uuid[], ${json(sql, p.circuitBreaker)})
    returning ${partnerColumns(sql)}`;
  return toPartner(row as Row);
}

export async function updatePartner(sql: Sql, id: string, p: PartnerInput): Promise<Partner | undefined> {
  const [row] = await sql<Row[]>`
    update partners set name = ${p.name}, email = ${p.email}, phone = ${p.phone}, address = ${json(sql, p.address)},
      notes = ${p.notes}, tags = ${p.tags}, status = ${p.status}, timezone = ${p.timezone}, billing = ${json(sql, p.billing)},
      delivery = ${json(sql, p.delivery)}, cap_day = ${p.caps.day}, cap_week = ${p.caps.week}, cap_month = ${p.caps.month},
      cap_lifetime = ${p.caps.lifetime}, schedule = ${json(sql, p.schedule)}, credit_limit_minor = ${p.creditLimitMinor},
      low_funds_threshold_minor = ${p.lowFundsThresholdMinor}, transfer_phone = ${p.transferPhone}, sms_number = ${p.smsNumber},
      fca_number = ${p.fcaNumber}, partner_type = ${p.type ?? 'receiver'}, introducer_lead_type_ids = ${p.introducerLeadTypeIds ?? []}::uuid[],
      circuit_breaker = ${json(sql, p.circuitBreaker)}, config_version = config_version + 1, updated_at = now()
    where id = ${id}
    returning ${partnerColumns(sql)}`;
  return row && toPartner(row);
}

export async function getPartner(sql: Sql, id: string): Promise<Partner | undefined> {
  const [row] = await sql<Row[]>`select ${partnerColumns(sql)} from partners where id = ${id}`;
  return row && toPartner(row);
}

export interface PartnerFilter {
  name?: string;
  email?: string;
  tag?: string;
  status?: PartnerStatus;
  limit: number;
  offset: number;
}

/** Name and email match case-insensitive substrings; tag matches one tag exactly. */
export async function searchPartners(sql: Sql, f: PartnerFilter): Promise<{ items: Partner[]; total: number }> {
  const like = (s: string) => `%${literalLike(s)}%`;
  const where = sql`where true
    ${f.name ? sql`and name ilike ${like(f.name)}` : sql``}
    ${f.email ? sql`and email ilike ${like(f.email)}` : sql``}
    ${f.tag ? sql`and ${f.tag} = any(tags)` : sql``}
    ${f.status ? sql`and status = ${f.status}` : sql``}`;
  const rows = await sql<Row[]>`select ${partnerColumns(sql)} from partners ${where} order by lower(name) limit ${f.limit} offset ${f.offset}`;
  const [count] = await sql<{ n: string }[]>`select count(*) as n from partners ${where}`;
  return { items: rows.map(toPartner), total: Number(count?.n ?? 0) };
}

/** Sets the status of every listed partner, or of none when any id is unknown. */
export async function setPartnersStatus(sql: Sql, ids: string[], status: PartnerStatus): Promise<{ updated: string[]; missing: string[] }> {
  return inTransaction(sql, async (tx) => {
    const rows = await tx<{ id: string }[]>`
      update partners set status = ${status}, config_version = config_version + 1, updated_at = now()
      where id = any(${ids}::uuid[]) returning id`;
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new MissingPartners(missing);
    return { updated: ids, missing };
  }).catch((err: unknown) => {
    if (err instanceof MissingPartners) return { updated: [], missing: err.ids };
    throw err;
  });
}

class MissingPartners extends Error {
  constructor(readonly ids: string[]) {
    super(`unknown partners: ${ids.join(', ')}`);
  }
}

export type DeletePartnerOutcome = 'deleted' | 'not_found' | { history: { deliveries: number; transactions: number } };

/**
 * Deletes a partner created by mistake. One with deliveries or statement transactions is kept for
 * the audit trail and the books: the outcome says how many of each it has.
 */
export async function deletePartner(sql: Sql, id: string): Promise<DeletePartnerOutcome> {
  const history = async (q: Sql) => {
    const [row] = await q<{ deliveries: string; transactions: string }[]>`
      select (select count(*) from deliveries where partner_id = ${id}) as deliveries, (select count(*) from partner_transactions where partner_id = ${id}) as transactions`;
    return { deliveries: Number(row!.deliveries), transactions: Number(row!.transactions) };
  };
  return inTransaction(sql, async (tx) => {
    const [locked] = await tx`select id from partners where id = ${id} for update`;
    if (!locked) return 'not_found' as const;
    const found = await history(tx);
    if (found.deliveries > 0 || found.transactions > 0) return { history: found };
    await tx`delete from partners where id = ${id}`;
    return 'deleted' as const;
  }).catch(async (err: unknown) => {
    // A delivery recorded between the check and the delete.
    if (isReferencedElsewhere(err)) return { history: await history(sql) };
    throw err;
  });
}
