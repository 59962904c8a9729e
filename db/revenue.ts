import type { Sql } from './client';
import { DELIVERY_CHARGE_PREFIX } from '../domain/capacity';

export const REVENUE_GROUPS = ['partner', 'profile', 'leadType', 'day'] as const;
export type RevenueGroup = (typeof REVENUE_GROUPS)[number];

export interface RevenueRow {
  /** The partner, profile or lead type id, or the day (YYYY-MM-DD); null for money no profile or lead type is known for. */
  key: string | null;
  label: string | null;
  currency: string;
  deliveries: number;
  accepted: number;
  returned: number;
  /** Receivers' outcome feedback (POST /portal/leads/{id}/outcome), dated when reported. */
  won: number;
  lost: number;
  wonValueMinor: number;
  grossMinor: number;
  creditsMinor: number;
  netMinor: number;
}

/**
 * Deliveries, acceptances and outcomes from the deliveries table; gross, credits and returns from the ledger,
 * so the report reconciles with statements and invoices to the minor unit. Days are from `from` to
 * `to` inclusive on the billing clock.
 */
export async function revenueReport(sql: Sql, q: { from: string; to: string; groupBy: RevenueGroup; timezone: string; partnerId?: string }): Promise<RevenueRow[]> {
  const start = sql`(${q.from}::date::timestamp at time zone ${q.timezone})`;
  const end = sql`((${q.to}::date + 1)::timestamp at time zone ${q.timezone})`;
  const inRange = (column: string) => sql`${sql(column)} >= ${start} and ${sql(column)} < ${end}`;
  const ofPartner = (column: string) => (q.partnerId ? sql`and ${sql(column)} = ${q.partnerId}` : sql``);
  const group = {
    partner: sql`e.partner_id::text as key, p.name as label`,
    profile: sql`a.profile_id::text as key, dp.name as label`,
    leadType: sql`lt.id::text as key, lt.name as label`,
    day: sql`to_char(e.at at time zone ${q.timezone}, 'YYYY-MM-DD') as key, to_char(e.at at time zone ${q.timezone}, 'YYYY-MM-DD') as label`,
  }[q.groupBy];
  const rows = await sql<{ key: string | null; label: string | null; currency: string; deliveries: string; accepted: string; returned: string; won: string; lost: string; wonValueMinor: string; grossMinor: string; creditsMinor: string }[]>`
    with events as (
      select partner_id, lead_id::text as lead_id, assignment_id::text as assignment_id, currency, delivered_at as at, 1 as deliveries, 0 as accepted, 0 as returned,
          0 as won, 0 as lost, 0::bigint as won_value, 0::bigint as gross, 0::bigint as credits
        from deliveries where ${inRange('delivered_at')} ${ofPartner('partner_id')}
      union all
      select partner_id, lead_id::text, assignment_id::text, currency, accepted_at, 0, 1, 0, 0, 0, 0, 0, 0
        from deliveries where ${inRange('accepted_at')} ${ofPartner('partner_id')}
      union all
      select partner_id, lead_id::text, assignment_id::text, currency, outcome_at, 0, 0, 0,
          (outcome = 'won')::int, (outcome = 'lost')::int, case when outcome = 'won' then coalesce(outcome_value_minor, 0) else 0 end, 0, 0
        from deliveries where outcome is not null and ${inRange('outcome_at')} ${ofPartner('partner_id')}
      union all
      select partner_id, lead_id, assignment_id, currency, occurred_at, 0, 0, 0, 0, 0, 0, -amount_minor, 0
        from partner_transactions where kind = 'charge' and ${inRange('occurred_at')} ${ofPartner('partner_id')}
      union all
      select t.partner_id, t.lead_id, c.assignment_id, t.currency, t.occurred_at, 0, 0, case when t.lead_id is null then 0 else 1 end, 0, 0, 0, 0, t.amount_minor
        from partner_transactions t
        -- The delivery's charge: a kept appointment's lead has a second, later one.
        left join partner_transactions c on c.partner_id = t.partner_id and c.lead_id = t.lead_id and c.kind = 'charge' and starts_with(c.txn_key, ${DELIVERY_CHARGE_PREFIX})
        where t.kind = 'credit' and ${inRange('t.occurred_at')} ${ofPartner('t.partner_id')}
    )
    select ${group}, e.currency, sum(deliveries) as deliveries, sum(accepted) as accepted, sum(returned) as returned,
      sum(won) as won, sum(lost) as lost, sum(won_value) as "wonValueMinor", sum(gross) as "grossMinor", sum(credits) as "creditsMinor"
    from events e
    left join partners p on p.id = e.partner_id
    left join leads l on l.id::text = e.lead_id
    left join lead_types lt on lt.id = l.lead_type_id
    left join assignments a on a.id::text = e.assignment_id
    left join distribution_profiles dp on dp.id = a.profile_id
    group by 1, 2, 3
    order by 1 nulls last, 3`;
  return rows.map((r) => {
    const gross = Number(r.grossMinor);
    const credits = Number(r.creditsMinor);
    return {
      key: r.key, label: r.label, currency: r.currency, deliveries: Number(r.deliveries), accepted: Number(r.accepted), returned: Number(r.returned),
      won: Number(r.won), lost: Number(r.lost), wonValueMinor: Number(r.wonValueMinor),
      grossMinor: gross, creditsMinor: credits, netMinor: gross - credits,
    };
  });
}

const CSV_COLUMNS = ['key', 'label', 'currency', 'deliveries', 'accepted', 'returned', 'won', 'lost', 'wonValueMinor', 'grossMinor', 'creditsMinor', 'netMinor'] as const;
/** Quoted where needed; text that a spreadsheet would run as a formula is prefixed with an apostrophe. */
function cell(v: string | number | null): string {
  if (v === null) return '';
  const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const revenueCsv = (rows: RevenueRow[]) => [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
