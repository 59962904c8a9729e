import { idIn, type Fragment, type Sql } from './client';
import type { CircuitRecord } from '../domain/circuit';

const columns = (sql: Sql) => sql`consecutive_failures as "consecutiveFailures", opened_at as "openedAt", opened_reason as "openedReason", probe_lead_id as "probeLeadId"`;
type Row = Omit<CircuitRecord, 'openedAt'> & { openedAt: Date | null };
const toRecord = (r: Row): CircuitRecord => ({ ...r, openedAt: r.openedAt?.toISOString() ?? null });

/** Not yet sent: readSnapshot sends it beside other reads. Its rows map with toCircuits. */
export const selectCircuits = (sql: Sql, partnerIds: string[] | Fragment) =>
  sql<(Row & { partnerId: string })[]>`select partner_id as "partnerId", ${columns(sql)} from partner_circuits where ${idIn(sql, 'partner_id', partnerIds)}`;

export const toCircuits = (rows: readonly (Row & { partnerId: string })[]): Map<string, CircuitRecord> => new Map(rows.map(({ partnerId, ...r }) => [partnerId, toRecord(r)]));

export async function getCircuits(sql: Sql, partnerIds: string[]): Promise<Map<string, CircuitRecord>> {
  return toCircuits(await selectCircuits(sql, partnerIds));
}

/** A delivery got through: the circuit closes. */
export async function recordDeliverySuccess(sql: Sql, partnerId: string): Promise<void> {
  await sql`update partner_circuits set consecutive_failures = 0, opened_at = null, opened_reason = null, probe_lead_id = null, probe_claimed_at = null, updated_at = now()
    where partner_id = ${partnerId} and (consecutive_failures > 0 or opened_at is not null)`;
}

/**
 * A delivery failed for good. The circuit opens at the threshold, and a failed probe opens it again
 * for another cool-down. True when this failure opened it, so the operators are told once.
 */
export async function recordDeliveryFailure(sql: Sql, partnerId: string, reason: string, threshold: number): Promise<boolean> {
  const [row] = await sql<{ opened: boolean }[]>`
    with before as (select opened_at from partner_circuits where partner_id = ${partnerId} for update)
    insert into partner_circuits as c (partner_id, consecutive_failures, opened_at, opened_reason)
    values (${partnerId}, 1, case when ${threshold} <= 1 then now() end, case when ${threshold} <= 1 then ${reason} end)
    on conflict (partner_id) do update set
      consecutive_failures = c.consecutive_failures + 1,
      opened_at = case when c.opened_at is not null or c.consecutive_failures + 1 >= ${threshold} then now() else null end,
      opened_reason = case when c.opened_at is not null or c.consecutive_failures + 1 >= ${threshold} then ${reason} else c.opened_reason end,
      probe_lead_id = null, probe_claimed_at = null, updated_at = now()
    returning opened_at is not null and (select opened_at from before) is null as opened`;
  return row?.opened ?? false;
}

/**
 * One lead claims the probe of a half-open circuit; false when another lead holds it. A claim lapses
 * after a cool-down, since the lead that made it may never reach this partner.
 */
export async function claimProbe(sql: Sql, partnerId: string, leadId: string, cooldownSeconds: number): Promise<boolean> {
  const rows = await sql`update partner_circuits set probe_lead_id = ${leadId}, probe_claimed_at = now(), updated_at = now()
    where partner_id = ${partnerId} and opened_at is not null
      and (probe_lead_id is null or probe_lead_id = ${leadId} or probe_claimed_at < now() - make_interval(secs => ${cooldownSeconds}))
    returning 1`;
  return rows.length > 0;
}
