import type { Sql } from './client';

export interface WindowStats {
  attempts: number;
  succeeded: number;
  /** Succeeded over attempts; null without attempts. */
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** A partner's delivery attempts over the last hour and day: how many got through, and how long its endpoint took. */
export async function deliveryStats(sql: Sql, partnerId: string): Promise<{ lastHour: WindowStats; lastDay: WindowStats }> {
  const rows = await sql<{ span: 'lastHour' | 'lastDay'; attempts: string; succeeded: string; p50: number | null; p99: number | null }[]>`
    select w.name as span, count(a.*) as attempts, count(a.*) filter (where a.ok) as succeeded,
      percentile_cont(0.5) within group (order by a.duration_ms) as p50,
      percentile_cont(0.99) within group (order by a.duration_ms) as p99
    from (values ('lastHour', interval '1 hour'), ('lastDay', interval '1 day')) as w (name, length)
    left join delivery_attempts a on a.partner_id = ${partnerId} and a.started_at > now() - w.length
    group by w.name`;
  const stats = (window: string): WindowStats => {
    const r = rows.find((x) => x.span === window)!;
    const attempts = Number(r.attempts);
    const succeeded = Number(r.succeeded);
    const ms = (v: number | null) => (v === null ? null : Math.round(v));
    return { attempts, succeeded, successRate: attempts ? succeeded / attempts : null, p50Ms: ms(r.p50), p99Ms: ms(r.p99) };
  };
  return { lastHour: stats('lastHour'), lastDay: stats('lastDay') };
}
