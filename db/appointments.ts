import type { Sql } from './client';
import { inTransaction } from './transaction';
import { appendAudit } from './audit';
import { freeSlots, type AppointmentAvailability, type Booked, type Slot } from '../domain/appointment-slots';

export interface Appointment {
  id: string;
  leadId: string;
  partnerId: string;
  start: string;
  end: string;
  status: 'held' | 'booked' | 'released' | 'cancelled';
  bookedBy: string;
  /** Goes up with each move: reminders are keyed by it. */
  version: number;
  /** After its time: the partner's word, or kept when it said nothing within the grace period. */
  outcome: AppointmentOutcome | null;
  /** The consumer's SMS answer to a reminder, and when. */
  consumerReply: 'confirmed' | 'call_back' | null;
  consumerRepliedAt: string | null;
}

export type AppointmentOutcome = 'attended' | 'no_show' | 'kept';

export async function getAvailability(sql: Sql, partnerId: string): Promise<AppointmentAvailability | null> {
  const [row] = await sql<AppointmentAvailability[]>`
    select windows, slot_minutes as "slotMinutes", min_notice_minutes as "minNoticeMinutes", buffer_minutes as "bufferMinutes", concurrency
    from partner_appointment_availability where partner_id = ${partnerId}`;
  return row ?? null;
}

export async function setAvailability(sql: Sql, partnerId: string, a: AppointmentAvailability): Promise<void> {
  await sql`
    insert into partner_appointment_availability (partner_id, windows, slot_minutes, min_notice_minutes, buffer_minutes, concurrency)
    values (${partnerId}, ${sql.json(a.windows as never)}, ${a.slotMinutes}, ${a.minNoticeMinutes}, ${a.bufferMinutes}, ${a.concurrency})
    on conflict (partner_id) do update set windows = excluded.windows, slot_minutes = excluded.slot_minutes,
      min_notice_minutes = excluded.min_notice_minutes, buffer_minutes = excluded.buffer_minutes, concurrency = excluded.concurrency, updated_at = now()`;
}

async function bookedBetween(sql: Sql, partnerId: string, from: Date, to: Date, bufferMinutes: number): Promise<Booked[]> {
  const margin = bufferMinutes * 60_000;
  return sql<Booked[]>`
    select starts_at as start, ends_at as "end" from appointments
    where partner_id = ${partnerId} and status in ('held', 'booked')
      and starts_at < ${new Date(to.getTime() + margin)} and ends_at > ${new Date(from.getTime() - margin)}`;
}

/** A partner's free slots starting in [from, to); null when it has no appointment availability. */
export async function partnerSlots(sql: Sql, partner: { id: string; timezone: string }, from: Date, to: Date, now = new Date()): Promise<Slot[] | null> {
  const availability = await getAvailability(sql, partner.id);
  if (!availability) return null;
  // A slot may start just before `to` and run past it.
  const booked = await bookedBetween(sql, partner.id, from, new Date(to.getTime() + availability.slotMinutes * 60_000), availability.bufferMinutes);
  return freeSlots(availability, partner.timezone, booked, { from, to, now });
}

/**
 * Finds the free slot starting at `start` and runs `take` on it, or says why not. Work on one
 * partner's diary is serialised by an advisory lock on it, so the count of overlapping appointments
 * can't change between the check and the write: two agents never get the same last place in a slot.
 */
async function takeSlot<T>(
  sql: Sql,
  partner: { id: string; timezone: string },
  start: Date,
  take: (tx: Sql, end: Date) => Promise<T>,
  options: { ignoring?: string } = {},
): Promise<T | { refused: string }> {
  return inTransaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`appointments:${partner.id}`}))`;
    // The appointment being moved must not block its own new slot.
    if (options.ignoring) await tx`update appointments set status = 'released' where id = ${options.ignoring}`;
    const slots = await partnerSlots(tx, partner, start, new Date(start.getTime() + 1));
    if (slots === null) return { refused: 'the partner takes no appointments (it has no appointment availability)' };
    const slot = slots.find((s) => s.start === start.toISOString());
    if (!slot) {
      if (options.ignoring) await tx`update appointments set status = 'booked' where id = ${options.ignoring}`;
      return { refused: `slot ${start.toISOString()} is not free: it is taken, in the past or inside the minimum notice, or not one of the partner's slots` };
    }
    return take(tx, new Date(slot.end));
  });
}

/** Holds a free slot for a lead while it is referred. */
export async function holdSlot(
  sql: Sql,
  h: { id: string; leadId: string; partner: { id: string; timezone: string }; start: Date; bookedBy: string },
): Promise<{ held: Appointment } | { refused: string }> {
  return takeSlot(sql, h.partner, h.start, async (tx, end) => {
    const [row] = await tx`
      insert into appointments (id, lead_id, partner_id, starts_at, ends_at, status, booked_by)
      values (${h.id}, ${h.leadId}, ${h.partner.id}, ${h.start}, ${end}, 'held', ${h.bookedBy})
      returning ${appointmentColumns(tx)}`;
    return { held: toAppointment(row as never) };
  });
}

/** Moves a booked appointment to another free slot of the same partner. */
export async function moveAppointment(sql: Sql, a: Appointment, partner: { id: string; timezone: string }, start: Date): Promise<{ moved: Appointment } | { refused: string }> {
  return takeSlot(sql, partner, start, async (tx, end) => {
    const [row] = await tx`update appointments set starts_at = ${start}, ends_at = ${end}, status = 'booked', version = version + 1 where id = ${a.id} returning ${appointmentColumns(tx)}`;
    return { moved: toAppointment(row as never) };
  }, { ignoring: a.id });
}

/** Cancels a booked appointment, freeing its slot; undefined when it is no longer booked. */
export async function cancelAppointment(sql: Sql, id: string): Promise<Appointment | undefined> {
  const [row] = await sql`update appointments set status = 'cancelled' where id = ${id} and status = 'booked' returning ${appointmentColumns(sql)}`;
  return row ? toAppointment(row as never) : undefined;
}

export async function getAppointment(sql: Sql, leadId: string, id: string): Promise<Appointment | undefined> {
  const [row] = await sql`select ${appointmentColumns(sql)} from appointments where lead_id = ${leadId} and id = ${id}`;
  return row ? toAppointment(row as never) : undefined;
}

export async function setAppointmentStatus(sql: Sql, id: string, status: Appointment['status']): Promise<Appointment> {
  const [row] = await sql`update appointments set status = ${status} where id = ${id} returning ${appointmentColumns(sql)}`;
  return toAppointment(row as never);
}

export async function listLeadAppointments(sql: Sql, leadId: string): Promise<Appointment[]> {
  const rows = await sql`select ${appointmentColumns(sql)} from appointments where lead_id = ${leadId} order by starts_at`;
  return rows.map((r) => toAppointment(r as never));
}

const appointmentColumns = (sql: Sql) => sql`id, lead_id as "leadId", partner_id as "partnerId", starts_at as start, ends_at as "end", status, booked_by as "bookedBy", version, outcome,
  consumer_reply as "consumerReply", consumer_replied_at as "consumerRepliedAt"`;
const toAppointment = (r: Omit<Appointment, 'start' | 'end' | 'consumerRepliedAt'> & { start: Date; end: Date; consumerRepliedAt: Date | null }): Appointment =>
  ({ ...r, start: r.start.toISOString(), end: r.end.toISOString(), consumerRepliedAt: r.consumerRepliedAt?.toISOString() ?? null });

/** The appointment a delivery to this partner carries, if the lead was booked with it. */
export async function bookedAppointment(sql: Sql, leadId: string, partnerId: string): Promise<Appointment | undefined> {
  // Held too: the lead may be delivered before the booking route marks it booked.
  const [row] = await sql`select ${appointmentColumns(sql)} from appointments
    where lead_id = ${leadId} and partner_id = ${partnerId} and status in ('held', 'booked') order by starts_at limit 1`;
  return row ? toAppointment(row as never) : undefined;
}

/** An appointment by its id alone (the appointment's workflow and the partner portal know no lead). */
export async function findAppointment(sql: Sql, id: string): Promise<Appointment | undefined> {
  const [row] = await sql`select ${appointmentColumns(sql)} from appointments where id = ${id}`;
  return row ? toAppointment(row as never) : undefined;
}

export interface AppointmentMessage { key: string; appointmentId: string; version: number; kind: string; channel: 'email' | 'sms' | 'webhook'; recipient: 'consumer' | 'partner'; address: string; body: string; sentAt: Date }

/**
 * Sends one message about an appointment at most once per key: the key is inserted in a transaction
 * that commits only once `send` has returned, so a crash before that leaves no key (it is sent again)
 * and a second sender waits on the first's key, then finds it.
 */
export async function sendOnce(sql: Sql, message: AppointmentMessage, send: () => Promise<void>): Promise<boolean> {
  return inTransaction(sql, async (tx) => {
    const [claimed] = await tx`
      insert into appointment_messages (key, appointment_id, version, kind, channel, recipient, address, body, sent_at)
      values (${message.key}, ${message.appointmentId}, ${message.version}, ${message.kind}, ${message.channel}, ${message.recipient}, ${message.address}, ${message.body}, ${message.sentAt})
      on conflict (key) do nothing returning key`;
    if (!claimed) return false;
    await send();
    return true;
  });
}

export async function listAppointmentMessages(sql: Sql, appointmentId: string): Promise<AppointmentMessage[]> {
  return sql<AppointmentMessage[]>`
    select key, appointment_id as "appointmentId", version, kind, channel, recipient, address, body, sent_at as "sentAt"
    from appointment_messages where appointment_id = ${appointmentId} order by sent_at, key`;
}

/** An appointment's step in its lead's audit trail, once per status and start. */
export const auditAppointment = (sql: Sql, a: Appointment, status: string, summary: string, detail: object = {}) =>
  appendAudit(sql, a.leadId, `appointment:${a.id}:${status}:${a.start}`, { at: new Date().toISOString(), type: `appointment_${status}`, summary, detail: { appointment: a, ...detail } });

/** Records what became of a booked appointment; a second call keeps the first outcome. */
export async function setAppointmentOutcome(sql: Sql, id: string, outcome: AppointmentOutcome, by: string, at: Date): Promise<Appointment | undefined> {
  await sql`update appointments set outcome = ${outcome}, outcome_by = ${by}, outcome_at = ${at} where id = ${id} and outcome is null and status in ('held', 'booked')`;
  return findAppointment(sql, id);
}

/**
 * The next booked appointment whose SMS reminders went to this number: the one a consumer's reply is
 * about. Consumers' numbers are stored sealed, so `isNumber` opens and compares each candidate's.
 */
export async function appointmentTextedTo(sql: Sql, isNumber: (storedAddress: string) => boolean, now = new Date()): Promise<Appointment | undefined> {
  const rows = await sql`select ${appointmentColumns(sql)}, m.address as "storedAddress" from appointments
    join (select distinct appointment_id, address from appointment_messages where channel = 'sms' and recipient = 'consumer') m on m.appointment_id = appointments.id
    where status in ('held', 'booked') and starts_at > ${now}
    order by starts_at`;
  const row = rows.find((r) => isNumber(r.storedAddress as string));
  if (!row) return undefined;
  const { storedAddress: _stored, ...appointment } = row;
  return toAppointment(appointment as never);
}

export async function setConsumerReply(sql: Sql, id: string, reply: 'confirmed' | 'call_back', at: Date): Promise<Appointment> {
  const [row] = await sql`update appointments set consumer_reply = ${reply}, consumer_replied_at = ${at} where id = ${id} returning ${appointmentColumns(sql)}`;
  return toAppointment(row as never);
}

export interface DeferredCharge { priceMinor: number; assignmentId: string | null }

/** Locks the price of an appointment charged only once kept, when its partner takes the lead; a retry keeps the first. */
export async function deferAppointmentCharge(sql: Sql, id: string, charge: DeferredCharge): Promise<void> {
  await sql`update appointments set deferred_price_minor = ${charge.priceMinor}, deferred_assignment_id = ${charge.assignmentId}
    where id = ${id} and deferred_price_minor is null`;
}

/** The price locked for an appointment charged once kept; undefined when it was charged with its lead, or never taken. */
export async function deferredCharge(sql: Sql, id: string): Promise<DeferredCharge | undefined> {
  const [row] = await sql<{ priceMinor: string; assignmentId: string | null }[]>`
    select deferred_price_minor as "priceMinor", deferred_assignment_id as "assignmentId" from appointments where id = ${id} and deferred_price_minor is not null`;
  return row && { priceMinor: Number(row.priceMinor), assignmentId: row.assignmentId };
}
