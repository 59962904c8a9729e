import type { Sql } from './client';
import { DELIVERY_CHARGE_PREFIX } from '../domain/capacity';
import type { MonthReturns, ReturnPolicy, ReturnStatus } from '../domain/returns';

export interface LeadReturn {
  id: string;
  partnerId: string;
  leadId: string;
  chargeKey: string;
  amountMinor: number;
  currency: string;
  reason: string;
  evidence: string | null;
  status: ReturnStatus;
  autoApproved: boolean;
  decidedBy: string | null;
  decisionNote: string | null;
  requestedAt: string;
  decideBy: string;
  decidedAt: string | null;
  creditNoteId: string | null;
  partnerToldAt: string | null;
}

const ts = (sql: Sql, column: string) => sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const columns = (sql: Sql) => sql`id, partner_id as "partnerId", lead_id as "leadId", charge_key as "chargeKey", amount_minor as "amountMinor", currency,
  reason, evidence, status, auto_approved as "autoApproved", decided_by as "decidedBy", decision_note as "decisionNote",
  ${ts(sql, 'requested_at')} as "requestedAt", ${ts(sql, 'decide_by')} as "decideBy", ${ts(sql, 'decided_at')} as "decidedAt", credit_note_id as "creditNoteId",
  ${ts(sql, 'partner_told_at')} as "partnerToldAt"`;
const toReturn = (r: LeadReturn & { amountMinor: string | number }): LeadReturn => ({ ...r, amountMinor: Number(r.amountMinor) });

export async function getReturnPolicy(sql: Sql, partnerId: string): Promise<ReturnPolicy | undefined> {
  const [row] = await sql<{ policy: ReturnPolicy }[]>`select policy from return_policies where partner_id = ${partnerId}`;
  return row?.policy;
}

export async function setReturnPolicy(sql: Sql, partnerId: string, policy: ReturnPolicy): Promise<ReturnPolicy> {
  await sql`insert into return_policies (partner_id, policy) values (${partnerId}, ${sql.json(policy as never)})
    on conflict (partner_id) do update set policy = excluded.policy, updated_at = now()`;
  return policy;
}

export interface Charge { key: string; amountMinor: number; currency: string; chargedAt: Date }

/**
 * The partner's charge for a lead: what a return credits back. Undefined when the lead was never charged to it.
 * A kept appointment's lead has two, its delivery's at 0 and the appointment's: the larger is the one paid.
 */
export async function chargeFor(sql: Sql, partnerId: string, leadId: string): Promise<Charge | undefined> {
  const [row] = await sql<{ key: string; amountMinor: string; currency: string; chargedAt: Date }[]>`
    select txn_key as key, -amount_minor as "amountMinor", currency, occurred_at as "chargedAt" from partner_transactions
    where partner_id = ${partnerId} and lead_id = ${leadId} and kind = 'charge' order by amount_minor, seq limit 1`;
  return row && { ...row, amountMinor: Number(row.amountMinor) };
}

/** Charges and (not denied) returns in the billing month `now` falls in. */
export async function monthReturns(sql: Sql, partnerId: string, now: Date, timezone: string): Promise<MonthReturns> {
  const [row] = await sql<{ charged: string; returned: string }[]>`
    select
      (select count(*) from partner_transactions where partner_id = ${partnerId} and kind = 'charge' and starts_with(txn_key, ${DELIVERY_CHARGE_PREFIX})
        and date_trunc('month', occurred_at at time zone ${timezone}) = date_trunc('month', ${now}::timestamptz at time zone ${timezone})) as charged,
      (select count(*) from lead_returns where partner_id = ${partnerId} and status in ('pending', 'approved')
        and date_trunc('month', requested_at at time zone ${timezone}) = date_trunc('month', ${now}::timestamptz at time zone ${timezone})) as returned`;
  return { charged: Number(row!.charged), returned: Number(row!.returned) };
}

export async function insertReturn(sql: Sql, r: Pick<LeadReturn, 'id' | 'partnerId' | 'leadId' | 'chargeKey' | 'amountMinor' | 'currency' | 'reason' | 'evidence' | 'autoApproved' | 'decideBy'>): Promise<LeadReturn> {
  const [row] = await sql<LeadReturn[]>`
    insert into lead_returns (id, partner_id, lead_id, charge_key, amount_minor, currency, reason, evidence, status, auto_approved, decide_by)
    values (${r.id}, ${r.partnerId}, ${r.leadId}, ${r.chargeKey}, ${r.amountMinor}, ${r.currency}, ${r.reason}, ${r.evidence}, 'pending', ${r.autoApproved}, ${r.decideBy})
    returning ${columns(sql)}`;
  return toReturn(row!);
}

export async function getReturn(sql: Sql, id: string): Promise<LeadReturn | undefined> {
  const [row] = await sql<LeadReturn[]>`select ${columns(sql)} from lead_returns where id = ${id}`;
  return row && toReturn(row);
}

export async function listReturns(sql: Sql, filter: { partnerId?: string; status?: ReturnStatus; limit: number; offset: number }): Promise<{ items: LeadReturn[]; total: number }> {
  const where = sql`where true ${filter.partnerId ? sql`and partner_id = ${filter.partnerId}` : sql``} ${filter.status ? sql`and status = ${filter.status}` : sql``}`;
  const rows = await sql<LeadReturn[]>`select ${columns(sql)} from lead_returns ${where} order by requested_at desc limit ${filter.limit} offset ${filter.offset}`;
  const [count] = await sql<{ total: string }[]>`select count(*) as total from lead_returns ${where}`;
  return { items: rows.map(toReturn), total: Number(count?.total ?? 0) };
}

/** Records the decision once: a pending return moves on, a decided one stays as it was. */
export async function decideReturn(sql: Sql, id: string, d: { status: Exclude<ReturnStatus, 'pending'>; by: string; note: string }): Promise<LeadReturn> {
  await sql`update lead_returns set status = ${d.status}, decided_by = ${d.by}, decision_note = ${d.note}, decided_at = now() where id = ${id} and status = 'pending'`;
  return (await getReturn(sql, id))!;
}

export async function setCreditNote(sql: Sql, id: string, creditNoteId: string): Promise<void> {
  await sql`update lead_returns set credit_note_id = ${creditNoteId} where id = ${id} and credit_note_id is null`;
}

export async function markPartnerTold(sql: Sql, id: string): Promise<void> {
  await sql`update lead_returns set partner_told_at = now() where id = ${id} and partner_told_at is null`;
}

/**
 * Which re-offer an approved return starts: the lead's nth approved return (n from 1), when the lead's
 * type re-offers returned leads; undefined otherwise, or for a lead that never went through routing.
 */
export async function reofferOf(sql: Sql, id: string): Promise<{ leadId: string; n: number; returningPartnerId: string } | undefined> {
  const [row] = await sql<{ leadId: string; n: string; returningPartnerId: string }[]>`
    select r.lead_id as "leadId", r.partner_id as "returningPartnerId",
      (select count(*) from lead_returns o where o.lead_id = r.lead_id and o.status = 'approved' and (o.decided_at, o.id) <= (r.decided_at, r.id)) as n
    from lead_returns r
    join leads l on l.id::text = r.lead_id
    join lead_types t on t.id = l.lead_type_id
    where r.id = ${id} and r.status = 'approved' and t.reoffer_returned_leads and l.test_profile_id is null`;
  return row && { ...row, n: Number(row.n) };
}
