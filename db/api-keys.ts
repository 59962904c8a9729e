import type { Sql } from './client';
import { inTransaction } from './transaction';
import type { PartnerStatus } from '../domain/config';

export const ROLES = ['operator', 'agent', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  partnerId: string | null;
  /** The first characters of the key, enough to recognise it in a list; never enough to use it. */
  keyPrefix: string;
  /** An agent key that may see sealed lead fields in clear. */
  canReveal: boolean;
  createdAt: string;
  revokedAt: string | null;
}

type Row = Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'> & { createdAt: Date; revokedAt: Date | null };

const columns = (sql: Sql) => sql`id, name, role, partner_id as "partnerId", key_prefix as "keyPrefix", can_reveal as "canReveal", created_at as "createdAt", revoked_at as "revokedAt"`;

const toRecord = (r: Row): ApiKeyRecord => ({ ...r, createdAt: r.createdAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null });

export async function insertApiKey(
  sql: Sql,
  k: { id: string; name: string; role: Role; partnerId: string | null; keyHash: string; keyPrefix: string; canReveal?: boolean; expiresAt?: Date },
): Promise<ApiKeyRecord | undefined> {
  const [row] = await sql<Row[]>`
    insert into api_keys (id, name, role, partner_id, key_hash, key_prefix, can_reveal, expires_at)
    values (${k.id}, ${k.name}, ${k.role}, ${k.partnerId}, ${k.keyHash}, ${k.keyPrefix}, ${k.canReveal ?? false}, ${k.expiresAt ?? null})
    on conflict (key_hash) do nothing
    returning ${columns(sql)}`;
  return row && toRecord(row);
}

/** The live (unrevoked, unexpired) key with this hash; for a partner key, the partner's status too. */
export async function findActiveKeyByHash(sql: Sql, keyHash: string): Promise<(ApiKeyRecord & { partnerStatus: PartnerStatus | null }) | undefined> {
  const [row] = await sql<(Row & { partnerStatus: PartnerStatus | null })[]>`
    select ${columns(sql)}, (select status from partners where partners.id = api_keys.partner_id) as "partnerStatus"
    from api_keys where key_hash = ${keyHash} and revoked_at is null and (expires_at is null or expires_at > now())`;
  return row && { ...toRecord(row), partnerStatus: row.partnerStatus };
}

export async function hasActiveOperatorKey(sql: Sql): Promise<boolean> {
  const [row] = await sql`select 1 from api_keys where role = 'operator' and revoked_at is null limit 1`;
  return !!row;
}

export async function listApiKeys(sql: Sql, filter: { role?: Role; partnerId?: string; includeRevoked: boolean }): Promise<ApiKeyRecord[]> {
  const rows = await sql<Row[]>`select ${columns(sql)} from api_keys where true
    ${filter.role ? sql`and role = ${filter.role}` : sql``}
    ${filter.partnerId ? sql`and partner_id = ${filter.partnerId}` : sql``}
    ${filter.includeRevoked ? sql`` : sql`and revoked_at is null and (expires_at is null or expires_at > now())`}
    order by created_at`;
  return rows.map(toRecord);
}

/**
 * Revokes a key, unless it is the last active operator key: then nobody could get back in. Serialised
 * on the operator keys, so two operators revoking each other's keys can't both succeed.
 */
export async function revokeApiKey(sql: Sql, id: string): Promise<ApiKeyRecord | 'last_operator' | undefined> {
  return inTransaction(sql, async (tx) => {
    const operators = await tx<{ id: string }[]>`select id from api_keys where role = 'operator' and revoked_at is null for update`;
    if (operators.length === 1 && operators[0]!.id === id) return 'last_operator' as const;
    const [row] = await tx<Row[]>`
      update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ${id} returning ${columns(tx)}`;
    return row && toRecord(row);
  });
}
