import type { Fragment, Sql } from './client';
import type { Profile } from '../domain/config';
import type { Rules } from '../domain/rules';

export type ProfileInput = Omit<Profile, 'id' | 'configVersion'>;
export type ProfileRecord = Profile & { createdAt: string; updatedAt: string };

type Row = Profile & { createdAt: Date; updatedAt: Date };

const columns = (sql: Sql) => sql`id, lead_type_id as "leadTypeId", name, description, enabled, strategy, rules,
  referral_scope as "referralScope", config_version as "configVersion", created_at as "createdAt", updated_at as "updatedAt"`;

export const toProfile = (r: Row): ProfileRecord => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });

export async function insertProfile(sql: Sql, id: string, p: ProfileInput): Promise<ProfileRecord> {
  const [row] = await sql<Row[]>`
    insert into distribution_profiles (id, lead_type_id, name, description, enabled, strategy, rules, referral_scope)
    values (${id}, ${p.leadTypeId}, ${p.name}, ${p.description}, ${p.enabled}, ${p.strategy}, ${sql.json(p.rules as never)}, ${p.referralScope})
    returning ${columns(sql)}`;
  return toProfile(row as Row);
}

export async function updateProfile(sql: Sql, id: string, p: ProfileInput): Promise<ProfileRecord | undefined> {
  const [row] = await sql<Row[]>`
    update distribution_profiles set name = ${p.name}, description = ${p.description}, enabled = ${p.enabled},
      strategy = ${p.strategy}, rules = ${sql.json(p.rules as never)}, referral_scope = ${p.referralScope},
      config_version = config_version + 1, updated_at = now()
    where id = ${id}
    returning ${columns(sql)}`;
  return row && toProfile(row);
}

export async function getProfile(sql: Sql, id: string): Promise<ProfileRecord | undefined> {
  const [row] = await sql<Row[]>`select ${columns(sql)} from distribution_profiles where id = ${id}`;
  return row && toProfile(row);
}

/** Not yet sent: readSnapshot sends it beside other reads. Its rows map with toProfile. */
export const selectProfiles = (sql: Sql, filter: { leadTypeId?: string | Fragment }) => sql<Row[]>`select ${columns(sql)} from distribution_profiles
  ${filter.leadTypeId ? sql`where lead_type_id = ${filter.leadTypeId}` : sql``} order by lower(name)`;

export async function listProfiles(sql: Sql, filter: { leadTypeId?: string }): Promise<ProfileRecord[]> {
  return (await selectProfiles(sql, filter)).map(toProfile);
}

export async function deleteProfile(sql: Sql, id: string): Promise<boolean> {
  return (await sql`delete from distribution_profiles where id = ${id}`).count > 0;
}

/** Rules of every profile and assignment of a lead type, for checking a change to its fields. */
export async function rulesOfLeadType(sql: Sql, leadTypeId: string): Promise<Array<{ owner: string; rules: Rules }>> {
  return sql<Array<{ owner: string; rules: Rules }>>`
    select 'profile ' || p.name as owner, p.rules from distribution_profiles p where p.lead_type_id = ${leadTypeId}
    union all
    select 'assignment ' || a.id || ' in profile ' || p.name, a.rules
    from assignments a join distribution_profiles p on p.id = a.profile_id where p.lead_type_id = ${leadTypeId}`;
}

