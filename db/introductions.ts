import type { Sql } from './client';

export interface SentLeadRow {
  id: string;
  leadType: string;
  status: string;
  createdAt: Date;
  introducerSeesPartners: boolean;
  deliveries: Array<{ partnerName: string; status: string; outcome: string | null; outcomeAt: string | null }>;
}

/** Leads an introducer submitted, newest first, with how each delivery ended and the receiver's outcome. */
export async function listSentLeads(sql: Sql, partnerId: string, page: { limit: number; offset: number }): Promise<SentLeadRow[]> {
  return sql<SentLeadRow[]>`
    select l.id, l.lead_type as "leadType", l.status, l.created_at as "createdAt", coalesce(t.introducer_sees_partners, false) as "introducerSeesPartners",
      coalesce((
        select json_agg(json_build_object('partnerName', p.name, 'status', d.status, 'outcome', d.outcome, 'outcomeAt', d.outcome_at) order by d.created_at)
        from deliveries d join partners p on p.id = d.partner_id where d.lead_id = l.id
      ), '[]'::json) as deliveries
    from leads l left join lead_types t on t.id = l.lead_type_id
    where l.submitted_by = ${`partner:${partnerId}`}
    order by l.created_at desc, l.id
    limit ${page.limit} offset ${page.offset}`;
}

export type Outcome = 'won' | 'lost';

/**
 * The receiving partner's word on how an accepted lead ended. Only an accepted delivery takes one;
 * undefined when this partner has no accepted delivery of the lead.
 */
export async function recordOutcome(
  sql: Sql,
  o: { leadId: string; partnerId: string; outcome: Outcome; valueMinor: number | null; note: string | null },
): Promise<{ outcome: Outcome; valueMinor: number | null; note: string | null; at: Date } | undefined> {
  const [row] = await sql<{ outcome: Outcome; valueMinor: string | null; note: string | null; at: Date }[]>`
    update deliveries set outcome = ${o.outcome}, outcome_value_minor = ${o.valueMinor}, outcome_note = ${o.note}, outcome_at = now(), updated_at = now()
    where lead_id = ${o.leadId} and partner_id = ${o.partnerId} and status = 'accepted'
    returning outcome, outcome_value_minor as "valueMinor", outcome_note as note, outcome_at as at`;
  return row && { ...row, valueMinor: row.valueMinor === null ? null : Number(row.valueMinor) };
}
