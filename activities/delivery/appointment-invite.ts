import { createEvent } from 'ics';
import type { Appointment } from '../../db/appointments';

/** The appointment as an iCalendar invite (.ics), so the partner's calendar holds it; its UID keeps a resend the same event. */
export function appointmentInvite(appointment: Appointment, summary: string): string {
  const { error, value } = createEvent({
    uid: `appointment-${appointment.id}@leadrelay`,
    start: Date.parse(appointment.start),
    end: Date.parse(appointment.end),
    startInputType: 'utc',
    startOutputType: 'utc',
    endInputType: 'utc',
    endOutputType: 'utc',
    title: summary,
    description: `leadrelay appointment ${appointment.id} for lead ${appointment.leadId}`,
    status: 'CONFIRMED',
    productId: 'leadrelay',
  });
  if (error || !value) throw error ?? new Error('calendar invite not built');
  return value;
}
