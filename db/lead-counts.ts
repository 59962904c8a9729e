import type { Sql } from './client';

export interface LeadCounts {
  /** Every lead, by the status it is in now. */
  now: Array<{ status: string; leads: number }>;
  /** Leads created since midnight on `timezone`, by the status they are in now. */
  today: Array<{ status: string; leads: number }>;
  todayStartsAt: string;
}

/** Counted in PostgreSQL, so the dashboard's figures cover every lead, not the latest page of them. */
export async function leadCounts(sql: Sql, timezone: string): Promise<LeadCounts> {
  const [start] = await sql<{ at: Date }[]>`select (date_trunc('day', now() at time zone ${timezone}) at time zone ${timezone}) as at`;
  const rows = await sql<{ status: string; total: string; today: string }[]>`
    select status, count(*) as total, count(*) filter (where created_at >= ${start!.at}) as today
    from leads group by status order by status`;
  return {
    now: rows.map((r) => ({ status: r.status, leads: Number(r.total) })),
    today: rows.filter((r) => Number(r.today) > 0).map((r) => ({ status: r.status, leads: Number(r.today) })),
    todayStartsAt: start!.at.toISOString(),
  };
}
