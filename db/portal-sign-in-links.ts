import type { Sql } from './client';

/** Active partners whose contact email is this address (case-insensitive), for a sign-in link each. */
export async function activePartnersByEmail(sql: Sql, email: string): Promise<Array<{ id: string; name: string; email: string }>> {
  return sql<{ id: string; name: string; email: string }[]>`
    select id, name, email from partners where lower(email) = lower(${email}) and status = 'active'`;
}

/**
 * Stores a link's token hash unless one was sent to this partner in the last `quietSeconds`, so
 * repeated asks can't flood a partner's inbox. False: a recent link stands, send nothing. Asks that
 * race (links are sent after the answer) take turns on a lock per partner, so only one can pass.
 */
export async function insertSignInLink(sql: Sql, link: { tokenHash: string; partnerId: string; expiresAt: Date; quietSeconds: number }): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`sign-in:${link.partnerId}`}))`;
    const rows = await tx`
      insert into portal_sign_in_links (token_hash, partner_id, expires_at)
      select ${link.tokenHash}, ${link.partnerId}, ${link.expiresAt}
      where not exists (select 1 from portal_sign_in_links where partner_id = ${link.partnerId} and created_at > now() - make_interval(secs => ${link.quietSeconds}))
      returning 1`;
    return rows.length > 0;
  });
}

/** Marks the link used, once: the partner it signs in, or undefined for a used, expired or unknown link. */
export async function useSignInLink(sql: Sql, tokenHash: string): Promise<string | undefined> {
  const [row] = await sql<{ partnerId: string }[]>`
    update portal_sign_in_links set used_at = now()
    where token_hash = ${tokenHash} and used_at is null and expires_at > now()
    returning partner_id as "partnerId"`;
  return row?.partnerId;
}
