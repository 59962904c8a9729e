import type { Sql } from './client';
import type { EligibilityReport } from '../domain/eligibility';

export async function saveEligibilityReport(sql: Sql, r: { id: string; leadId: string; judgedAt: Date; report: EligibilityReport }): Promise<void> {
  await sql`insert into lead_eligibility_reports (id, lead_id, judged_at, report) values (${r.id}, ${r.leadId}, ${r.judgedAt}, ${sql.json(r.report as never)})
    on conflict (id) do nothing`;
}

/** Every judgement of a lead, oldest first: on arrival, and again at each manual referral. */
export async function listEligibilityReports(sql: Sql, leadId: string): Promise<Array<{ id: string; judgedAt: string; report: EligibilityReport }>> {
  const rows = await sql<{ id: string; judgedAt: Date; report: EligibilityReport }[]>`
    select id, judged_at as "judgedAt", report from lead_eligibility_reports where lead_id = ${leadId} order by judged_at, id`;
  return rows.map((r) => ({ ...r, judgedAt: r.judgedAt.toISOString() }));
}
