import type { Sql } from './client';
import { literalLike } from './like-pattern';
import type { LeadStatus } from '../domain/lead-state';

export interface LeadRow {
  id: string;
  leadType: string;
  leadTypeId: string | null;
  fields: Record<string, unknown>;
  source: string;
  submittedBy: string | null;
  /** An operator's test lead goes through this profile only, and is never charged. */
  testProfileId: string | null;
  status: LeadStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql) => sql`id, lead_type as "leadType", lead_type_id as "leadTypeId", fields, source, submitted_by as "submittedBy",
  test_profile_id as "testProfileId", status, status_reason as "statusReason", created_at as "createdAt", updated_at as "updatedAt"`;

export interface NewLead {
  id: string;
  leadType: string;
  leadTypeId: string;
  fields: Record<string, unknown>;
  source: string;
  submittedBy: string;
  idempotencyKey?: string;
  /** What was asked, so a reused key with another request is told apart from a retry. */
  fingerprint: string;
  testProfileId?: string;
}

export type InsertOutcome = { lead: LeadRow; created: boolean } | { mismatch: LeadRow };

/** Inserts a lead; the submitter's repeated idempotency key returns the lead it first created, unless the request differs. */
export async function insertLead(sql: Sql, lead: NewLead): Promise<InsertOutcome> {
  const [inserted] = await sql<LeadRow[]>`
    insert into leads (id, lead_type, lead_type_id, fields, source, submitted_by, idempotency_key, request_fingerprint, test_profile_id)
    values (${lead.id}, ${lead.leadType}, ${lead.leadTypeId}, ${sql.json(lead.fields as never)}, ${lead.source}, ${lead.submittedBy},
            ${lead.idempotencyKey ?? null}, ${lead.fingerprint}, ${lead.testProfileId ?? null})
    on conflict (submitted_by, idempotency_key) where idempotency_key is not null do nothing
    returning ${columns(sql)}`;
  if (inserted) return { lead: inserted, created: true };
  const [existing] = await sql<(LeadRow & { fingerprint: string | null })[]>`
    select ${columns(sql)}, request_fingerprint as fingerprint from leads where submitted_by = ${lead.submittedBy} and idempotency_key = ${lead.idempotencyKey ?? null}`;
  if (!existing) throw new Error('idempotent insert found neither a new nor an existing lead');
  const { fingerprint, ...row } = existing;
  return fingerprint === lead.fingerprint ? { lead: row, created: false } : { mismatch: row };
}

/** Leads still `received` a while after arrival: their workflow may never have started (a crash between the insert and the start). */
export async function listUnstartedLeads(sql: Sql, olderThan: Date, limit = 100): Promise<LeadRow[]> {
  return sql<LeadRow[]>`select ${columns(sql)} from leads where status = 'received' and created_at < ${olderThan} order by created_at limit ${limit}`;
}

export async function getLead(sql: Sql, id: string): Promise<LeadRow | undefined> {
  const [row] = await sql<LeadRow[]>`select ${columns(sql)} from leads where id = ${id}`;
  return row;
}

export async function updateLeadStatus(sql: Sql, id: string, status: LeadStatus, reason?: string): Promise<void> {
  await sql`update leads set status = ${status}, status_reason = ${reason ?? null}, updated_at = now() where id = ${id}`;
}

export interface LeadFilter {
  status?: string;
  leadType?: string;
  partnerId?: string;
  /** Text in the id (its start) or in the stored fields, any case; sealed fields hold ciphertext, so they never match. */
  q?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  limit: number;
  offset: number;
}

export async function listLeads(sql: Sql, f: LeadFilter): Promise<LeadRow[]> {
  return sql<LeadRow[]>`
    select ${columns(sql)} from leads
    where true
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.leadType ? sql`and lower(lead_type) = lower(${f.leadType})` : sql``}
      ${f.partnerId ? sql`and id in (select lead_id from deliveries where partner_id = ${f.partnerId})` : sql``}
      ${f.q ? sql`and (id::text like ${`${literalLike(f.q.toLowerCase())}%`} or fields::text ilike ${`%${literalLike(f.q)}%`})` : sql``}
      ${f.createdAfter ? sql`and created_at >= ${f.createdAfter}` : sql``}
      ${f.createdBefore ? sql`and created_at < ${f.createdBefore}` : sql``}
    order by created_at desc, id
    limit ${f.limit} offset ${f.offset}`;
}
