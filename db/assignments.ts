import { idIn, type Fragment, type Sql } from './client';
import type { Assignment } from '../domain/config';

export type AssignmentInput = Omit<Assignment, 'id' | 'configVersion'>;
export type AssignmentRecord = Assignment & { createdAt: string; updatedAt: string };

interface Row {
  id: string;
  profileId: string;
  partnerId: string;
  priority: number;
  priceMinor: string | null;
  rules: Assignment['rules'];
  capDay: number | null;
  capWeek: number | null;
  capMonth: number | null;
  capLifetime: number | null;
  chargeOn: Assignment['chargeOn'];
  appointmentCharge: Assignment['appointmentCharge'];
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql) => sql`id, profile_id as "profileId", partner_id as "partnerId", priority, price_minor as "priceMinor",
  rules, cap_day as "capDay", cap_week as "capWeek", cap_month as "capMonth", cap_lifetime as "capLifetime",
  charge_on as "chargeOn", appointment_charge as "appointmentCharge", config_version as "configVersion", created_at as "createdAt", updated_at as "updatedAt"`;

export const toAssignment = (r: Row): AssignmentRecord => ({
  id: r.id,
  profileId: r.profileId,
  partnerId: r.partnerId,
  priority: r.priority,
  priceMinor: r.priceMinor === null ? null : Number(r.priceMinor),
  rules: r.rules,
  caps: { day: r.capDay, week: r.capWeek, month: r.capMonth, lifetime: r.capLifetime },
  chargeOn: r.chargeOn,
  appointmentCharge: r.appointmentCharge,
  configVersion: r.configVersion,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export async function insertAssignment(sql: Sql, id: string, a: AssignmentInput): Promise<AssignmentRecord> {
  const [row] = await sql<Row[]>`
    insert into assignments (id, profile_id, partner_id, priority, price_minor, rules, cap_day, cap_week, cap_month, cap_lifetime, charge_on, appointment_charge)
    values (${id}, ${a.profileId}, ${a.partnerId}, ${a.priority}, ${a.priceMinor}, ${sql.json(a.rules as never)},
      ${a.caps.day}, ${a.caps.week}, ${a.caps.month}, ${a.caps.lifetime}, ${a.chargeOn ?? 'acceptance'}, ${a.appointmentCharge ?? 'booked'})
    returning ${columns(sql)}`;
  return toAssignment(row as Row);
}

export async function updateAssignment(sql: Sql, id: string, a: AssignmentInput): Promise<AssignmentRecord | undefined> {
  const [row] = await sql<Row[]>`
    update assignments set priority = ${a.priority}, price_minor = ${a.priceMinor}, rules = ${sql.json(a.rules as never)},
      cap_day = ${a.caps.day}, cap_week = ${a.caps.week}, cap_month = ${a.caps.month}, cap_lifetime = ${a.caps.lifetime},
      charge_on = ${a.chargeOn ?? 'acceptance'}, appointment_charge = ${a.appointmentCharge ?? 'booked'}, config_version = config_version + 1, updated_at = now()
    where id = ${id}
    returning ${columns(sql)}`;
  return row && toAssignment(row);
}

export async function getAssignment(sql: Sql, id: string): Promise<AssignmentRecord | undefined> {
  const [row] = await sql<Row[]>`select ${columns(sql)} from assignments where id = ${id}`;
  return row && toAssignment(row);
}

/** Not yet sent: readSnapshot sends it beside other reads. Its rows map with toAssignment. */
export const selectAssignments = (sql: Sql, filter: { profileIds?: string[] | Fragment; partnerId?: string }) => sql<Row[]>`select ${columns(sql)} from assignments where true
  ${filter.profileIds ? sql`and ${idIn(sql, 'profile_id', filter.profileIds)}` : sql``}
  ${filter.partnerId ? sql`and partner_id = ${filter.partnerId}` : sql``}
  order by priority desc, created_at`;

export async function listAssignments(sql: Sql, filter: { profileIds?: string[]; partnerId?: string }): Promise<AssignmentRecord[]> {
  return (await selectAssignments(sql, filter)).map(toAssignment);
}

export async function deleteAssignment(sql: Sql, id: string): Promise<boolean> {
  return (await sql`delete from assignments where id = ${id}`).count > 0;
}
