import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { conflict, invalid } from '../validation';
import { updateLead } from '../workflow-updates';
import { idParams, isoInstant, text, uuid } from '../schemas/common';
import { windowSchema } from '../schemas/partners';
import {
  appointmentsOfLead, bookedBetween, bookSlot, cancelAppointment, getAvailability, setAvailability, type Appointment,
} from '../../db/appointments';
import { getLead } from '../../db/leads';
import { getLeadType } from '../../db/lead-types';
import { getPartner } from '../../db/partners';
import { listEligibilityReports } from '../../db/eligibility-reports';
import { freeSlots, isSlotStart, SLOT_MINUTES, type AppointmentAvailability } from '../../domain/appointment-slots';
import { leadWorkflowId } from '../../domain/ids';
import { referUpdate } from '../../workflows/messages';

const slotLength = z.union(SLOT_MINUTES.map((m) => z.literal(m)) as [z.ZodLiteral<15>, z.ZodLiteral<30>, z.ZodLiteral<60>], { error: 'must be 15, 30 or 60' });

const availabilitySchema = z
  .strictObject({
    windows: z.array(windowSchema).min(1).max(100).meta({ description: 'Weekly windows on the partner’s wall clock' }),
    slotMinutes: slotLength.meta({ description: 'How long an appointment lasts' }),
    intervalMinutes: slotLength.meta({ description: 'How often a slot may start' }),
    minimumNoticeMinutes: z.number().int().min(0).max(60 * 24 * 60).default(0),
    bufferMinutes: z.number().int().min(0).max(24 * 60).default(0).meta({ description: 'Kept free before and after each appointment' }),
    concurrent: z.number().int().min(1).max(100).default(1).meta({ description: 'Appointments taken at once (for example, two surveyors)' }),
  })
  .meta({ id: 'AppointmentAvailability' });

const slotSchema = z.object({ startsAt: z.string(), endsAt: z.string() }).meta({ id: 'AppointmentSlot' });
const appointmentSchema = z
  .object({
    id: z.uuid(), leadId: z.uuid(), partnerId: z.uuid(), startsAt: z.string(), endsAt: z.string(),
    status: z.enum(['booked', 'cancelled']), bookedBy: z.string(), cancelReason: z.string().nullable(), createdAt: z.string(),
  })
  .meta({ id: 'Appointment' });

const rangeQuery = z
  .strictObject({ from: isoInstant.optional().meta({ description: 'Default: now' }), to: isoInstant.optional().meta({ description: 'Default: 14 days after from' }) })
  .refine((q) => !q.from || !q.to || q.to > q.from, { path: ['to'], message: 'must be after from' })
  .refine((q) => !q.from || !q.to || q.to.getTime() - q.from.getTime() <= 62 * 86_400_000, { path: ['to'], message: 'at most 62 days after from' });

const bookBody = z.strictObject({
  partnerId: uuid('partner'),
  startsAt: isoInstant.meta({ description: 'One of the partner’s free slots (GET /leads/{id}/slots)' }),
}).meta({ id: 'BookAppointment' });
const cancelBody = z.strictObject({ reason: text(500).meta({ description: 'Told to the partner' }) }).meta({ id: 'CancelAppointment' });

const shown = (a: Appointment) => ({ ...a, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString(), createdAt: a.createdAt.toISOString() });
const range = (q: { from?: Date; to?: Date }) => {
  const from = q.from ?? new Date();
  return { from, to: q.to ?? new Date(from.getTime() + 14 * 86_400_000), now: new Date() };
};

export function appointmentRoutes({ sql, temporal, notifier, logger }: AppDeps) {
  const partnerTakingAppointments = async (partnerId: string, at = 'partnerId') => {
    const partner = await getPartner(sql, partnerId);
    if (!partner) throw at === 'params.id' ? notFound(`partner ${partnerId}`) : invalid([{ field: `body.${at}`, reason: `no partner ${partnerId}` }]);
    const availability = await getAvailability(sql, partnerId);
    if (!availability) throw conflict(`${partner.name} takes no appointments: an operator sets its availability with PUT /partners/${partnerId}/appointment-availability`);
    return { partner, availability };
  };
  const slotsOf = async (partnerId: string, timezone: string, availability: AppointmentAvailability, r: ReturnType<typeof range>) =>
    freeSlots(availability, timezone, r, await bookedBetween(sql, partnerId, new Date(r.from.getTime() - 86_400_000), new Date(r.to.getTime() + 86_400_000)));
  const appointmentLead = async (leadId: string) => {
    const lead = await getLead(sql, leadId);
    if (!lead) throw notFound(`lead ${leadId}`);
    const leadType = lead.leadTypeId ? await getLeadType(sql, lead.leadTypeId) : undefined;
    if (leadType?.referralMethod !== 'appointment') throw conflict(`lead ${leadId} is a ${leadType?.referralMethod ?? 'unknown'} lead: only appointment leads are booked`);
    return lead;
  };

  return [
    defineRoute({
      method: 'put',
      path: '/partners/:id/appointment-availability',
      summary: 'When a partner takes appointments',
      description: 'Weekly windows in the partner’s timezone, sliced into slots. Appointments already booked stay booked.',
      tags: ['appointments'],
      auth: ['operator'],
      params: idParams('partner'),
      body: availabilitySchema,
      responses: { 200: { description: 'Saved', schema: availabilitySchema }, 404: { description: 'No such partner' } },
      handler: async ({ params, body }) => {
        if (!(await setAvailability(sql, params.id, body as AppointmentAvailability))) throw notFound(`partner ${params.id}`);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/slots',
      summary: "A partner's free appointment slots",
      description: 'Its availability less the appointments booked with it, past its minimum notice.',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('partner'),
      query: rangeQuery,
      responses: { 200: { description: 'Free slots, soonest first', schema: z.object({ timezone: z.string(), slots: z.array(slotSchema) }) }, 404: { description: 'No such partner' }, 409: { description: 'The partner takes no appointments' } },
      handler: async ({ params, query }) => {
        const { partner, availability } = await partnerTakingAppointments(params.id, 'params.id');
        return { timezone: partner.timezone, slots: await slotsOf(partner.id, partner.timezone, availability, range(query)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/slots',
      summary: 'Free slots of every partner eligible for an appointment lead: the agent’s booking screen',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      query: rangeQuery,
      responses: {
        200: { description: 'Each eligible partner taking appointments, with its free slots', schema: z.object({ partners: z.array(z.object({ partnerId: z.uuid(), partnerName: z.string(), timezone: z.string(), slots: z.array(slotSchema) })) }) },
        404: { description: 'No such lead' }, 409: { description: 'Not an appointment lead' },
      },
      handler: async ({ params, query }) => {
        await appointmentLead(params.id);
        const latest = (await listEligibilityReports(sql, params.id)).at(-1)?.report;
        const eligible = new Map((latest?.profiles ?? []).flatMap((p) => p.assignments).filter((a) => a.eligible).map((a) => [a.partnerId, a.partnerName]));
        const r = range(query);
        const partners = [];
        for (const [partnerId, partnerName] of eligible) {
          const [partner, availability] = await Promise.all([getPartner(sql, partnerId), getAvailability(sql, partnerId)]);
          if (partner && availability) partners.push({ partnerId, partnerName, timezone: partner.timezone, slots: await slotsOf(partnerId, partner.timezone, availability, r) });
        }
        return { partners };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/appointments',
      summary: 'Book an appointment with a partner: the lead is referred to it with the appointment',
      description: 'The slot is held first, so of agents racing for it one gets it (409 for the others); then the lead is referred to the partner as any referral is, judged again, and the delivery carries the appointment (an .ics invite by email). A refused referral frees the slot and answers 409 with the reason.',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      body: bookBody,
      status: 201,
      responses: { 201: { description: 'Booked and referred', schema: appointmentSchema }, 404: { description: 'No such lead' }, 409: { description: 'Slot taken, partner takes no appointments, or the referral was refused' } },
      handler: async ({ params, body, principal }) => {
        const lead = await appointmentLead(params.id);
        const { partner, availability } = await partnerTakingAppointments(body.partnerId);
        const now = Date.now();
        if (!isSlotStart(availability, partner.timezone, body.startsAt)) {
          throw invalid([{ field: 'body.startsAt', reason: `not one of ${partner.name}'s slot starts: see GET /leads/${lead.id}/slots` }]);
        }
        if (body.startsAt.getTime() < now + availability.minimumNoticeMinutes * 60_000) {
          throw invalid([{ field: 'body.startsAt', reason: `${partner.name} needs ${availability.minimumNoticeMinutes} minutes' notice` }]);
        }
        const bookedBy = `${principal!.role}:${principal!.name}`;
        const booked = await bookSlot(sql, {
          id: randomUUID(), leadId: lead.id, partnerId: partner.id, startsAt: body.startsAt, endsAt: new Date(body.startsAt.getTime() + availability.slotMinutes * 60_000), bookedBy, availability,
        });
        if (booked === 'taken') throw conflict(`${partner.name} has no free place at ${body.startsAt.toISOString()}: another appointment took it`);
        if (booked === 'already_booked') throw conflict(`lead ${lead.id} already has an appointment with ${partner.name}`);
        try {
          await updateLead(temporal, leadWorkflowId(lead.id), referUpdate, { partnerId: partner.id, referredBy: bookedBy });
        } catch (err) {
          await cancelAppointment(sql, booked.id, `referral refused: ${(err as Error).message}`);
          throw err;
        }
        return shown(booked);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/appointments',
      summary: "A lead's appointments, booked and cancelled",
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      responses: { 200: { description: 'Oldest first', schema: z.object({ items: z.array(appointmentSchema) }) }, 404: { description: 'No such lead' } },
      handler: async ({ params }) => {
        if (!(await getLead(sql, params.id))) throw notFound(`lead ${params.id}`);
        return { items: (await appointmentsOfLead(sql, params.id)).map(shown) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/appointments/:id/cancel',
      summary: 'Cancel a booked appointment, telling the partner why',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('appointment'),
      body: cancelBody,
      responses: { 200: { description: 'Cancelled', schema: appointmentSchema }, 404: { description: 'No booked appointment with this id' } },
      handler: async ({ params, body }) => {
        const cancelled = await cancelAppointment(sql, params.id, body.reason);
        if (!cancelled) throw new HttpError(404, 'not_found', `no booked appointment ${params.id}`);
        const partner = await getPartner(sql, cancelled.partnerId);
        if (partner && notifier) {
          await notifier
            .email({ to: partner.email, subject: `leadrelay: appointment on ${cancelled.startsAt.toISOString()} cancelled`, text: `The appointment for lead ${cancelled.leadId} on ${cancelled.startsAt.toISOString()} (UTC) is cancelled: ${body.reason}` })
            .catch((err: Error) => logger.warn({ err, appointmentId: cancelled.id }, 'cancellation notice not sent'));
        }
        return shown(cancelled);
      },
    }),
  ];
}
