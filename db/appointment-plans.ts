import type { Sql } from './client';
import { findAppointment } from './appointments';
import { getAppointmentSettings } from './appointment-settings';
import { getLead } from './leads';
import { getPartner } from './partners';
import { isTimeZone, type AppointmentPlan } from '../domain/appointment-reminders';

/** Opens a lead's sealed fields (infra/field-sealing.ts); passed in, so db/ holds no keys. */
export type OpenFields = <T>(fields: T) => T;

/**
 * An appointment with its lead (fields opened), partner, the lead type's reminder settings and the
 * consumer's timezone (the lead's timezone field, else the partner's); undefined when any is gone.
 */
export async function loadAppointment(sql: Sql, openFields: OpenFields, appointmentId: string) {
  const appointment = await findAppointment(sql, appointmentId);
  if (!appointment) return undefined;
  const [lead, partner] = [await getLead(sql, appointment.leadId), await getPartner(sql, appointment.partnerId)];
  if (!lead || !partner) return undefined;
  const settings = await getAppointmentSettings(sql, lead.leadTypeId);
  const fields = openFields(lead.fields);
  const zone = fields[settings.consumerTimezoneField];
  return { appointment, lead, partner, settings, fields, timeZone: isTimeZone(zone) ? zone : partner.timezone };
}

export type LoadedAppointment = NonNullable<Awaited<ReturnType<typeof loadAppointment>>>;

/** What an appointment's workflow starts from. */
export const planOf = ({ appointment, settings, timeZone }: LoadedAppointment): AppointmentPlan => ({
  id: appointment.id, leadId: appointment.leadId, partnerId: appointment.partnerId, start: appointment.start, end: appointment.end,
  version: appointment.version, status: appointment.status, timeZone,
  reminderOffsetsMinutes: settings.reminderOffsetsMinutes, outcomeGraceMinutes: settings.outcomeGraceMinutes, outcome: appointment.outcome,
});
