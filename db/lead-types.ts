import type { Sql } from './client';
import type { LeadType } from '../domain/config';

/** A week: how long a lead waits to be referred unless its lead type says otherwise. */
export const DEFAULT_REFERRAL_DEADLINE_SECONDS = 7 * 86_400;

export type LeadTypeInput = Omit<LeadType, 'id' | 'configVersion'>;

type Row = Omit<LeadType, 'defaultPriceMinor'> & { defaultPriceMinor: string | number; createdAt: Date; updatedAt: Date };

const columns = (sql: Sql) => sql`id, name, fields, referral_method as "referralMethod", default_price_minor as "defaultPriceMinor",
  referral_scope as "referralScope", referral_deadline_seconds as "referralDeadlineSeconds", acceptance_window_seconds as "acceptanceWindowSeconds", fca_required as "fcaRequired",
  introducer_sees_partners as "introducerSeesPartners", reoffer_returned_leads as "reofferReturnedLeads", self_service as "selfService", config_version as "configVersion", created_at as "createdAt", updated_at as "updatedAt"`;

export type LeadTypeRecord = LeadType & { createdAt: string; updatedAt: string };

export const toLeadType = (r: Row): LeadTypeRecord => ({
  ...r,
  defaultPriceMinor: Number(r.defaultPriceMinor),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export async function insertLeadType(sql: Sql, id: string, t: LeadTypeInput): Promise<LeadTypeRecord> {
  const [row] = await sql<Row[]>`
    insert into lead_types (id, name, fields, referral_method, default_price_minor, referral_scope, acceptance_window_seconds, fca_required, introducer_sees_partners, self_service,
      referral_deadline_seconds, reoffer_returned_leads)
    values (${id}, ${t.name}, ${sql.json(t.fields as never)}, ${t.referralMethod}, ${t.defaultPriceMinor}, ${t.referralScope},
            ${t.acceptanceWindowSeconds}, ${t.fcaRequired}, ${t.introducerSeesPartners ?? false}, ${t.selfService ? sql.json(t.selfService as never) : null},
            ${t.referralDeadlineSeconds ?? DEFAULT_REFERRAL_DEADLINE_SECONDS}, ${t.reofferReturnedLeads ?? false})
    returning ${columns(sql)}`;
  return toLeadType(row as Row);
}

export async function listLeadTypes(sql: Sql): Promise<LeadTypeRecord[]> {
  return (await sql<Row[]>`select ${columns(sql)} from lead_types order by lower(name)`).map(toLeadType);
}

export async function getLeadType(sql: Sql, id: string): Promise<LeadTypeRecord | undefined> {
  const [row] = await sql<Row[]>`select ${columns(sql)} from lead_types where id = ${id}`;
  return row && toLeadType(row);
}

/** Not yet sent: readSnapshot sends it beside other reads. Its row maps with toLeadType. */
export const selectLeadTypeByName = (sql: Sql, name: string) => sql<Row[]>`select ${columns(sql)} from lead_types where lower(name) = lower(${name})`;

export async function getLeadTypeByName(sql: Sql, name: string): Promise<LeadTypeRecord | undefined> {
  const [row] = await selectLeadTypeByName(sql, name);
  return row && toLeadType(row);
}

export async function updateLeadType(sql: Sql, id: string, t: LeadTypeInput): Promise<LeadTypeRecord | undefined> {
  const [row] = await sql<Row[]>`
    update lead_types set name = ${t.name}, fields = ${sql.json(t.fields as never)}, referral_method = ${t.referralMethod},
      default_price_minor = ${t.defaultPriceMinor}, referral_scope = ${t.referralScope},
      referral_deadline_seconds = ${t.referralDeadlineSeconds ?? DEFAULT_REFERRAL_DEADLINE_SECONDS},
      acceptance_window_seconds = ${t.acceptanceWindowSeconds}, fca_required = ${t.fcaRequired},
      introducer_sees_partners = ${t.introducerSeesPartners ?? false},
      reoffer_returned_leads = ${t.reofferReturnedLeads ?? false},
      self_service = ${t.selfService ? sql.json(t.selfService as never) : null}, config_version = config_version + 1, updated_at = now()
    where id = ${id}
    returning ${columns(sql)}`;
  return row && toLeadType(row);
}

export async function deleteLeadType(sql: Sql, id: string): Promise<boolean> {
  return (await sql`delete from lead_types where id = ${id}`).count > 0;
}

/** Names of every field of every lead type: what a partner's templates may refer to. */
export async function allLeadFieldNames(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ name: string }[]>`select distinct f->>'name' as name from lead_types, jsonb_array_elements(fields) f`;
  return new Set(rows.map((r) => r.name));
}
