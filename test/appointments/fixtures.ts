import { randomUUID } from 'node:crypto';
import type { Sql } from '../../db/client';
import { insertLeadType } from '../../db/lead-types';
import { insertLead } from '../../db/leads';
import { setAvailability } from '../../db/appointments';
import { setAppointmentSettings } from '../../db/appointment-settings';
import { DEFAULT_APPOINTMENT_SETTINGS, type AppointmentSettings } from '../../domain/appointment-reminders';
import { addPartner } from '../capacity/fixtures';

const allWeek = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, start: '00:00', end: '24:00' }));

export interface BookedFixture { appointmentId: string; leadId: string; partnerId: string; consumer: { email: string; phone: string }; partner: { email: string; sms: string } }

/**
 * A booked appointment straight in PostgreSQL (its lead type, partner with an all-week diary, lead and
 * row), for tests that run its workflow on their own Temporal server.
 */
export async function bookedAppointment(sql: Sql, o: { start: string; consumerTimeZone?: string; partnerTimeZone: string; settings?: Partial<AppointmentSettings> }): Promise<BookedFixture> {
  const tag = randomUUID().slice(0, 8);
  const consumer = { email: `consumer-${tag}@home.example`, phone: `+4477${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}` };
  const partnerContact = { email: `surveyor-${tag}@partners.example`, sms: `+4478${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}` };
  const leadType = await insertLeadType(sql, randomUUID(), {
    name: `appointments ${tag}`, fields: [], referralMethod: 'appointment', defaultPriceMinor: 10_00, referralScope: 1, acceptanceWindowSeconds: null, fcaRequired: false,
  });
  await setAppointmentSettings(sql, leadType.id, { ...DEFAULT_APPOINTMENT_SETTINGS, ...o.settings });
  const partner = await addPartner(sql, { name: `Surveyors ${tag}`, timezone: o.partnerTimeZone, email: partnerContact.email, smsNumber: partnerContact.sms });
  await setAvailability(sql, partner.id, { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 0, bufferMinutes: 0, concurrency: 1 });
  const leadId = randomUUID();
  await insertLead(sql, {
    id: leadId, leadType: leadType.name, leadTypeId: leadType.id, source: 'test', submittedBy: 'test', fingerprint: leadId,
    fields: { name: 'Ada', email: consumer.email, phone: consumer.phone, ...(o.consumerTimeZone ? { timezone: o.consumerTimeZone } : {}) },
  });
  const appointmentId = randomUUID();
  const start = new Date(o.start);
  await sql`insert into appointments (id, lead_id, partner_id, starts_at, ends_at, status, booked_by)
    values (${appointmentId}, ${leadId}, ${partner.id}, ${start}, ${new Date(start.getTime() + 3_600_000)}, 'booked', 'agent:test')`;
  return { appointmentId, leadId, partnerId: partner.id, consumer, partner: partnerContact };
}
