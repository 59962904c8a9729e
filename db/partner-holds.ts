import type { Sql } from './client';
import type { OpenReservation } from '../domain/capacity';

/** Written once the partner workflow granted the hold; a retry writes nothing twice. */
export async function recordHold(sql: Sql, partnerId: string, hold: OpenReservation): Promise<void> {
  await sql`
    insert into partner_holds (reservation_id, partner_id, lead_id, assignment_id, price_minor, reserved_at, expires_at, window_day, window_week, window_month)
    values (${hold.reservationId}, ${partnerId}, ${hold.leadId}, ${hold.assignmentId}, ${hold.priceMinor}, ${new Date(hold.reservedAt)}, ${new Date(hold.expiresAt)},
            ${hold.keys.day}, ${hold.keys.week}, ${hold.keys.month})
    on conflict (reservation_id) do nothing`;
}

/** A settled hold is gone; holds a day past their expiry go with it, whoever left them. */
export async function forgetHold(sql: Sql, reservationId: string): Promise<void> {
  await sql`delete from partner_holds where reservation_id = ${reservationId}
    or (partner_id = (select partner_id from partner_holds where reservation_id = ${reservationId}) and expires_at < now() - interval '1 day')`;
}

/** The partner's holds still open at `now`: those neither expired nor already charged. */
export async function openHolds(sql: Sql, partnerId: string, now: Date): Promise<Record<string, OpenReservation>> {
  const rows = await sql<{ reservationId: string; leadId: string; assignmentId: string; priceMinor: string; reservedAt: Date; expiresAt: Date; day: string; week: string; month: string }[]>`
    select reservation_id as "reservationId", lead_id as "leadId", assignment_id as "assignmentId", price_minor as "priceMinor",
      reserved_at as "reservedAt", expires_at as "expiresAt", window_day as day, window_week as week, window_month as month
    from partner_holds h
    where partner_id = ${partnerId} and expires_at > ${now}
      and not exists (select 1 from partner_transactions t where t.partner_id = h.partner_id and t.txn_key = 'charge:' || h.reservation_id)`;
  return Object.fromEntries(rows.map((r) => [r.reservationId, {
    reservationId: r.reservationId, leadId: r.leadId, assignmentId: r.assignmentId, priceMinor: Number(r.priceMinor),
    reservedAt: r.reservedAt.getTime(), expiresAt: r.expiresAt.getTime(), keys: { day: r.day, week: r.week, month: r.month },
  }]));
}

export const isCharged = (sql: Sql, partnerId: string, reservationId: string) => hasTransaction(sql, partnerId, `charge:${reservationId}`);

export async function hasTransaction(sql: Sql, partnerId: string, key: string): Promise<boolean> {
  const [row] = await sql`select 1 from partner_transactions where partner_id = ${partnerId} and txn_key = ${key}`;
  return !!row;
}
