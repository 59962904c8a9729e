import type { Sql } from './client';
import type { EligibilityReport } from '../domain/eligibility';
import type { LeadJudgement } from '../domain/lead-judgement';

/** The full report, and the judgement made from it under the workflow's key for it. */
export async function saveEligibilityReport(sql: Sql, r: { id: string; leadId: string; judgedAt: Date; report: EligibilityReport; key: string; judgement: LeadJudgement }): Promise<void> {
  await sql`insert into lead_eligibility_reports (id, lead_id, judged_at, report, judgement_key, judgement)
    values (${r.id}, ${r.leadId}, ${r.judgedAt}, ${sql.json(r.report as never)}, ${r.key}, ${sql.json(r.judgement as never)})
    on conflict do nothing`;
}

/** The judgement already made under `key`, if any. */
export async function findJudgement(sql: Sql, leadId: string, key: string): Promise<LeadJudgement | undefined> {
  const [row] = await sql<{ judgement: LeadJudgement }[]>`
    select judgement from lead_eligibility_reports where lead_id = ${leadId} and judgement_key = ${key}`;
  return row?.judgement;
}

/** Every judgement of a lead, oldest first: on arrival, and again at each manual referral. */
export async function listEligibilityReports(sql: Sql, leadId: string): Promise<Array<{ id: string; judgedAt: string; report: EligibilityReport }>> {
  const rows = await sql<{ id: string; judgedAt: Date; report: EligibilityReport }[]>`
    select id, judged_at as "judgedAt", report from lead_eligibility_reports where lead_id = ${leadId} order by judged_at, id`;
  return rows.map((r) => ({ ...r, judgedAt: r.judgedAt.toISOString() }));
}
