import { createEvent } from 'ics';
import type { Appointment } from '../../db/appointments';

/**
 * The appointment as an iCalendar invite (.ics), so the partner's calendar holds it. Its UID keeps every
 * invite the same event; SEQUENCE (the version less one, so a move raises it) lets a calendar take a move
 * (METHOD:REQUEST) or a cancel (METHOD:CANCEL, one above the last request) as an update of it.
 */
export function appointmentInvite(appointment: Appointment, summary: string, method: 'REQUEST' | 'CANCEL' = 'REQUEST'): string {
  const cancelled = method === 'CANCEL';
  const { error, value } = createEvent({
    uid: `appointment-${appointment.id}@leadrelay`,
    method,
    sequence: cancelled ? appointment.version : appointment.version - 1,
    start: Date.parse(appointment.start),
    end: Date.parse(appointment.end),
    startInputType: 'utc',
    startOutputType: 'utc',
    endInputType: 'utc',
    endOutputType: 'utc',
    title: summary,
    description: `leadrelay appointment ${appointment.id} for lead ${appointment.leadId}`,
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    productId: 'leadrelay',
  });
  if (error || !value) throw error ?? new Error('calendar invite not built');
  return value;
}
