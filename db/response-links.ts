import { createHash } from 'node:crypto';
import type { Sql } from './client';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function linkUsedAt(sql: Sql, token: string): Promise<Date | undefined> {
  const [row] = await sql<{ usedAt: Date }[]>`select used_at as "usedAt" from used_response_links where token_hash = ${hash(token)}`;
  return row?.usedAt;
}

export async function markLinkUsed(sql: Sql, leadId: string, token: string): Promise<void> {
  await sql`insert into used_response_links (token_hash, lead_id) values (${hash(token)}, ${leadId}) on conflict do nothing`;
}
