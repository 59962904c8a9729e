import type { Sql } from './client';

/** Claims a conference for a lead; returns the lead that holds it (another lead's claim stands). */
export async function claimConference(sql: Sql, conference: string, leadId: string): Promise<{ leadId: string; claimed: boolean }> {
  const [inserted] = await sql<{ leadId: string }[]>`
    insert into transfer_conferences (conference, lead_id) values (${conference}, ${leadId})
    on conflict (conference) do nothing returning lead_id as "leadId"`;
  if (inserted) return { leadId, claimed: true };
  const [held] = await sql<{ leadId: string }[]>`select lead_id as "leadId" from transfer_conferences where conference = ${conference}`;
  return { leadId: held!.leadId, claimed: false };
}

/** Gives back a claim the lead's workflow refused. */
export async function unclaimConference(sql: Sql, conference: string, leadId: string): Promise<void> {
  await sql`delete from transfer_conferences where conference = ${conference} and lead_id = ${leadId}`;
}

export async function leadForConference(sql: Sql, conference: string): Promise<string | undefined> {
  const [row] = await sql<{ leadId: string }[]>`select lead_id as "leadId" from transfer_conferences where conference = ${conference}`;
  return row?.leadId;
}

/** The conference a lead's transfer runs in, once claimed. */
export async function conferenceOfLead(sql: Sql, leadId: string): Promise<string | undefined> {
  const [row] = await sql<{ conference: string }[]>`select conference from transfer_conferences where lead_id = ${leadId} order by created_at limit 1`;
  return row?.conference;
}
