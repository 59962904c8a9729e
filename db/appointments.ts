import type { Sql } from './client';
import { inTransaction } from './transaction';
import { fits, type AppointmentAvailability, type Booked } from '../domain/appointment-slots';

export interface Appointment {
  id: string;
  leadId: string;
  partnerId: string;
  startsAt: Date;
  endsAt: Date;
  status: 'booked' | 'cancelled';
  bookedBy: string;
  cancelReason: string | null;
  createdAt: Date;
}

const columns = (sql: Sql) => sql`id, lead_id as "leadId", partner_id as "partnerId", starts_at as "startsAt", ends_at as "endsAt", status,
  booked_by as "bookedBy", cancel_reason as "cancelReason", created_at as "createdAt"`;

export async function getAvailability(sql: Sql, partnerId: string): Promise<AppointmentAvailability | null | undefined> {
  const [row] = await sql<{ availability: AppointmentAvailability | null }[]>`select appointment_availability as availability from partners where id = ${partnerId}`;
  return row ? row.availability : undefined;
}

export async function setAvailability(sql: Sql, partnerId: string, availability: AppointmentAvailability): Promise<boolean> {
  const rows = await sql`update partners set appointment_availability = ${sql.json(availability as never)}, updated_at = now() where id = ${partnerId} returning 1`;
  return rows.length > 0;
}

export async function bookedBetween(sql: Sql, partnerId: string, from: Date, to: Date): Promise<Booked[]> {
  return sql<Booked[]>`select starts_at as "startsAt", ends_at as "endsAt" from appointments
    where partner_id = ${partnerId} and status = 'booked' and starts_at < ${to} and ends_at > ${from}`;
}

const BOOKING_LOCK = 90_001;

/**
 * Books a slot, or says it is taken. Bookings with one partner are serialised on an advisory lock,
 * so of two agents racing for its last place exactly one gets it.
 */
export async function bookSlot(
  sql: Sql, a: { id: string; leadId: string; partnerId: string; startsAt: Date; endsAt: Date; bookedBy: string; availability: AppointmentAvailability },
): Promise<Appointment | 'taken' | 'already_booked'> {
  return inTransaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(${BOOKING_LOCK}, hashtext(${a.partnerId}))`;
    const [mine] = await tx`select 1 from appointments where lead_id = ${a.leadId} and partner_id = ${a.partnerId} and status = 'booked'`;
    if (mine) return 'already_booked' as const;
    const buffer = a.availability.bufferMinutes * 60_000;
    const nearby = await bookedBetween(tx, a.partnerId, new Date(a.startsAt.getTime() - buffer), new Date(a.endsAt.getTime() + buffer));
    if (!fits(a.availability, nearby, a.startsAt.getTime(), a.endsAt.getTime())) return 'taken' as const;
    const [row] = await tx<Appointment[]>`
      insert into appointments (id, lead_id, partner_id, starts_at, ends_at, status, booked_by)
      values (${a.id}, ${a.leadId}, ${a.partnerId}, ${a.startsAt}, ${a.endsAt}, 'booked', ${a.bookedBy})
      returning ${columns(tx)}`;
    return row!;
  });
}

export async function cancelAppointment(sql: Sql, id: string, reason: string): Promise<Appointment | undefined> {
  const [row] = await sql<Appointment[]>`update appointments set status = 'cancelled', cancel_reason = ${reason}, updated_at = now()
    where id = ${id} and status = 'booked' returning ${columns(sql)}`;
  return row;
}

export async function appointmentsOfLead(sql: Sql, leadId: string): Promise<Appointment[]> {
  return sql<Appointment[]>`select ${columns(sql)} from appointments where lead_id = ${leadId} order by created_at`;
}

/** The appointment a delivery to this partner carries, if the lead was booked with it. */
export async function bookedAppointment(sql: Sql, leadId: string, partnerId: string): Promise<Appointment | undefined> {
  const [row] = await sql<Appointment[]>`select ${columns(sql)} from appointments where lead_id = ${leadId} and partner_id = ${partnerId} and status = 'booked'`;
  return row;
}
