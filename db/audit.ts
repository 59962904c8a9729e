import type { Sql } from './client';

export interface AuditEntry {
  at: string;
  type: string;
  summary: string;
  detail?: unknown;
}

/**
 * Appends to a lead's audit trail. Each entry has a key naming the step that wrote it, so a retried
 * activity writes it once: true when this call wrote it.
 */
export async function appendAudit(sql: Sql, leadId: string, key: string, entry: AuditEntry): Promise<boolean> {
  const rows = await sql`
    insert into lead_audit (lead_id, entry_key, at, type, summary, detail)
    values (${leadId}, ${key}, ${entry.at}, ${entry.type}, ${entry.summary}, ${entry.detail === undefined ? null : sql.json(entry.detail as never)})
    on conflict (lead_id, entry_key) do nothing
    returning 1`;
  return rows.length > 0;
}

export async function listAudit(sql: Sql, leadId: string): Promise<Array<AuditEntry & { id: number }>> {
  const rows = await sql<{ id: string; at: Date; type: string; summary: string; detail: unknown }[]>`
    select id, at, type, summary, detail from lead_audit where lead_id = ${leadId} order by at, id`;
  return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), type: r.type, summary: r.summary, ...(r.detail === null ? {} : { detail: r.detail }) }));
}


/** The entry a step wrote, if it did: lets a retried activity find what it already did. */
export async function findAudit(sql: Sql, leadId: string, key: string): Promise<AuditEntry | undefined> {
  const [row] = await sql<{ at: Date; type: string; summary: string; detail: unknown }[]>`
    select at, type, summary, detail from lead_audit where lead_id = ${leadId} and entry_key = ${key}`;
  return row && { at: row.at.toISOString(), type: row.type, summary: row.summary, ...(row.detail === null ? {} : { detail: row.detail }) };
}
