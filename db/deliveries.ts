import type { Sql } from './client';
import type { AttemptRecord } from '../activities/delivery/attempt';

export type DeliveryOutcome = 'accepted' | 'declined' | 'expired' | 'failed' | 'withdrawn';

export interface DeliveryRow {
  id: string;
  leadId: string;
  leadType: string;
  fields: Record<string, unknown>;
  partnerId: string;
  partnerName: string;
  assignmentId: string | null;
  status: string;
  priceMinor: number;
  currency: string;
  deliveredAt: Date | null;
  acceptedAt: Date | null;
  declinedAt: Date | null;
  expiredAt: Date | null;
  failedAt: Date | null;
  declineReason: string | null;
  respondBy: Date | null;
  withdrawnAt: Date | null;
  outcome: 'won' | 'lost' | null;
  /** bigint, as the driver returns it. */
  outcomeValueMinor: string | null;
}

/** Records one attempt; a retried activity overwrites the record of the try it replaces. */
export async function recordAttempt(sql: Sql, a: { key: string; leadId: string; partnerId: string; record: AttemptRecord }): Promise<void> {
  const r = a.record;
  await sql`
    insert into delivery_attempts (delivery_key, attempt, lead_id, partner_id, channel, ok, request, response, error, started_at, duration_ms)
    values (${a.key}, ${r.attempt}, ${a.leadId}, ${a.partnerId}, ${r.channel}, ${r.ok}, ${sql.json(r.request as never)},
            ${r.response ? sql.json(r.response as never) : null}, ${r.error ?? null}, ${r.startedAt}, ${r.durationMs})
    on conflict (delivery_key, attempt) do update set ok = excluded.ok, request = excluded.request, response = excluded.response,
      error = excluded.error, started_at = excluded.started_at, duration_ms = excluded.duration_ms`;
}

/** The projection row of a delivery, written when the partner has the lead; the price it carries is the locked one. True when this call wrote it. */
export async function markDelivered(sql: Sql, d: { key: string; leadId: string; partnerId: string; assignmentId: string; priceMinor: number; currency: string; at: string }): Promise<boolean> {
  const rows = await sql`
    insert into deliveries (id, lead_id, partner_id, assignment_id, attempt_key, status, price_minor, currency, delivered_at)
    values (gen_random_uuid(), ${d.leadId}, ${d.partnerId}, ${d.assignmentId}, ${d.key}, 'delivered', ${d.priceMinor}, ${d.currency}, ${d.at})
    on conflict (lead_id, partner_id) do nothing
    returning 1`;
  return rows.length > 0;
}

export async function markOutcome(sql: Sql, d: { leadId: string; partnerId: string; outcome: DeliveryOutcome; reason?: string; at: string }): Promise<void> {
  await sql`
    update deliveries set status = ${d.outcome}, updated_at = now(),
      accepted_at = case when ${d.outcome} = 'accepted' then coalesce(accepted_at, ${d.at}::timestamptz) else accepted_at end,
      declined_at = case when ${d.outcome} = 'declined' then coalesce(declined_at, ${d.at}::timestamptz) else declined_at end,
      expired_at = case when ${d.outcome} = 'expired' then coalesce(expired_at, ${d.at}::timestamptz) else expired_at end,
      failed_at = case when ${d.outcome} = 'failed' then coalesce(failed_at, ${d.at}::timestamptz) else failed_at end,
      withdrawn_at = case when ${d.outcome} = 'withdrawn' then coalesce(withdrawn_at, ${d.at}::timestamptz) else withdrawn_at end,
      decline_reason = coalesce(${d.reason ?? null}, decline_reason)
    where lead_id = ${d.leadId} and partner_id = ${d.partnerId}`;
}

export async function markRespondBy(sql: Sql, d: { leadId: string; partnerId: string; respondBy: string; workflowId: string }): Promise<void> {
  await sql`update deliveries set status = 'awaiting_response', respond_by = ${d.respondBy}, offer_workflow_id = ${d.workflowId}, updated_at = now()
    where lead_id = ${d.leadId} and partner_id = ${d.partnerId} and status = 'delivered'`;
}

/** The workflow holding the partner's offer of the lead, when it awaits an answer there rather than in the lead's own. */
export async function offerWorkflowOf(sql: Sql, leadId: string, partnerId: string): Promise<string | null> {
  const [row] = await sql<{ workflowId: string | null }[]>`select offer_workflow_id as "workflowId" from deliveries where lead_id = ${leadId} and partner_id = ${partnerId}`;
  return row?.workflowId ?? null;
}

export async function listDeliveries(sql: Sql, filter: { leadId?: string; partnerId?: string }): Promise<DeliveryRow[]> {
  return sql<DeliveryRow[]>`
    select d.id, d.lead_id as "leadId", l.lead_type as "leadType", l.fields, d.partner_id as "partnerId", p.name as "partnerName", d.assignment_id as "assignmentId",
      d.status, d.price_minor::float8 as "priceMinor", d.currency, d.delivered_at as "deliveredAt", d.accepted_at as "acceptedAt",
      d.declined_at as "declinedAt", d.expired_at as "expiredAt", d.failed_at as "failedAt", d.decline_reason as "declineReason",
      d.respond_by as "respondBy", d.withdrawn_at as "withdrawnAt",
      d.outcome, d.outcome_value_minor as "outcomeValueMinor"
    from deliveries d join partners p on p.id = d.partner_id join leads l on l.id = d.lead_id
    where true
      ${filter.leadId ? sql`and d.lead_id = ${filter.leadId}` : sql``}
      ${filter.partnerId ? sql`and d.partner_id = ${filter.partnerId}` : sql``}
    order by d.created_at`;
}

export async function listAttempts(sql: Sql, leadId: string) {
  return sql`
    select delivery_key as "deliveryKey", attempt, partner_id as "partnerId", channel, ok, request, response, error,
      started_at as "startedAt", duration_ms as "durationMs"
    from delivery_attempts where lead_id = ${leadId} order by started_at, attempt`;
}
