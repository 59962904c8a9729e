import type { Sql } from './client';
import type { LeadStatus } from '../domain/lead-state';

export interface LeadRow {
  id: string;
  leadType: string;
  fields: Record<string, unknown>;
  source: string;
  status: LeadStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql) => sql`id, lead_type as "leadType", fields, source, status,
  status_reason as "statusReason", created_at as "createdAt", updated_at as "updatedAt"`;

/** Inserts a lead; a repeated idempotency key returns the lead it first created. */
export async function insertLead(
  sql: Sql,
  lead: { id: string; leadType: string; fields: Record<string, unknown>; source: string; idempotencyKey?: string },
): Promise<{ lead: LeadRow; created: boolean }> {
  const [inserted] = await sql<LeadRow[]>`
    insert into leads (id, lead_type, fields, source, idempotency_key)
    values (${lead.id}, ${lead.leadType}, ${sql.json(lead.fields as never)}, ${lead.source}, ${lead.idempotencyKey ?? null})
    on conflict (idempotency_key) do nothing
    returning ${columns(sql)}`;
  if (inserted) return { lead: inserted, created: true };
  const [existing] = await sql<LeadRow[]>`select ${columns(sql)} from leads where idempotency_key = ${lead.idempotencyKey ?? null}`;
  if (!existing) throw new Error('idempotent insert found neither a new nor an existing lead');
  return { lead: existing, created: false };
}

export async function getLead(sql: Sql, id: string): Promise<LeadRow | undefined> {
  const [row] = await sql<LeadRow[]>`select ${columns(sql)} from leads where id = ${id}`;
  return row;
}

export async function updateLeadStatus(sql: Sql, id: string, status: LeadStatus, reason?: string): Promise<void> {
  await sql`update leads set status = ${status}, status_reason = ${reason ?? null}, updated_at = now() where id = ${id}`;
}
