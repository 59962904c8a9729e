import { z } from 'zod';
import { windowSchema } from './partners';
import { isoInstant } from './common';

export const availabilitySchema = z
  .strictObject({
    windows: z.array(windowSchema).min(1).max(100).meta({ description: "Weekly windows on the partner's wall clock (its timezone); slots start at the window's start" }),
    slotMinutes: z.union([z.literal(15), z.literal(30), z.literal(60)]).meta({ description: 'Length of one appointment, and the interval between slot starts' }),
    minNoticeMinutes: z.number().int().min(0).max(60 * 24 * 60).default(0).meta({ description: 'No slot is offered sooner than this after now' }),
    bufferMinutes: z.number().int().min(0).max(24 * 60).default(0).meta({ description: 'Kept free before and after each appointment' }),
    concurrency: z.number().int().min(1).max(100).default(1).meta({ description: 'Appointments the partner takes at once, e.g. 2 surveyors' }),
  })
  .meta({ id: 'AppointmentAvailability', example: { windows: [{ day: 'mon', start: '09:00', end: '17:00' }], slotMinutes: 60, minNoticeMinutes: 120, bufferMinutes: 15, concurrency: 2 } });

export const slotSchema = z.object({ start: z.string(), end: z.string(), free: z.number().int().meta({ description: 'Appointments the slot still takes' }) }).meta({ id: 'AppointmentSlot' });

export const MAX_SLOT_RANGE_DAYS = 31;
export const slotRangeQuery = z.strictObject({
  from: isoInstant.optional().meta({ description: 'Default: now' }),
  to: isoInstant.optional().meta({ description: `Default: 14 days after from; at most ${MAX_SLOT_RANGE_DAYS} days after it` }),
});

export const bookAppointmentBody = z
  .strictObject({
    partnerId: z.uuid({ error: 'must be a partner id (UUID)' }),
    start: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-23T09:00:00Z' }).meta({ description: 'Start of one of the partner\'s free slots (GET /leads/{id}/slots)' }),
  })
  .meta({ id: 'BookAppointment' });

export const appointmentSchema = z
  .object({
    id: z.uuid(),
    leadId: z.uuid(),
    partnerId: z.uuid(),
    start: z.string(),
    end: z.string(),
    status: z.enum(['held', 'booked', 'released', 'cancelled']).meta({ description: 'held while the referral is being made; booked once the lead is referred; released when the referral was refused; cancelled by an agent or the partner, or called off when the partner did not take the lead (declined, let it expire, or could not be reached)' }),
    bookedBy: z.string(),
    version: z.number().int().meta({ description: 'Starts at 1 and goes up with each move' }),
    consumerReply: z.enum(['confirmed', 'call_back']).nullable().meta({ description: "The consumer's SMS answer to a reminder: C confirmed, R asked for a call back (the latest counts)" }),
    consumerRepliedAt: z.string().nullable(),
    outcome: z.enum(['attended', 'no_show', 'kept']).nullable().meta({ description: "After its time: the partner's word, or kept when it said nothing within the lead type's grace period" }),
  })
  .meta({ id: 'Appointment' });

export const rescheduleBody = z
  .strictObject({ start: bookAppointmentBody.shape.start.meta({ description: "Start of another free slot of the same partner, in the future" }) })
  .meta({ id: 'RescheduleAppointment' });

export const cancelAppointmentBody = z
  .strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(500).meta({ description: 'Why the appointment is cancelled; kept in the audit trail' }) })
  .meta({ id: 'CancelAppointment' });

const MONTH_MINUTES = 31 * 24 * 60;
const fieldName = (what: string, fallback: string) => z.string().trim().min(1, 'must not be empty').max(100).default(fallback).meta({ description: `The lead field holding the consumer's ${what}` });
export const appointmentSettingsSchema = z
  .strictObject({
    reminderOffsetsMinutes: z.array(z.number().int().min(1).max(MONTH_MINUTES)).max(5)
      .refine((offsets) => new Set(offsets).size === offsets.length, 'must not repeat an offset')
      .default([24 * 60, 60])
      .meta({ description: "Minutes before the appointment, on the consumer's wall clock (1440: the same time the day before), each sent by email and SMS" }),
    outcomeGraceMinutes: z.number().int().min(1).max(MONTH_MINUTES).default(48 * 60).meta({ description: 'After the appointment ends, how long the partner has to record attended or no_show before it counts as kept' }),
    consumerPhoneField: fieldName('mobile number (SMS reminders)', 'phone'),
    consumerEmailField: fieldName('email address (email reminders)', 'email'),
    consumerTimezoneField: fieldName("IANA timezone (else the partner's timezone is used)", 'timezone'),
  })
  .meta({ id: 'AppointmentSettings', example: { reminderOffsetsMinutes: [1440, 60], outcomeGraceMinutes: 2880, consumerPhoneField: 'phone', consumerEmailField: 'email', consumerTimezoneField: 'timezone' } });

export const outcomeBody = z
  .strictObject({ outcome: z.enum(['attended', 'no_show'], { error: 'must be attended or no_show' }).meta({ description: 'Whether the consumer kept the appointment' }) })
  .meta({ id: 'AppointmentOutcome' });
