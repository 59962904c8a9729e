import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { conflict, invalid } from '../validation';
import { updateLead, type StartIfNeverRun } from '../workflow-updates';
import { isRunning } from '../../infra/workflow-reads';
import { loadAppointment, planOf } from '../../db/appointment-plans';
import { idParams } from '../schemas/common';
import { appointmentSchema, appointmentSettingsSchema, outcomeBody, availabilitySchema, bookAppointmentBody, cancelAppointmentBody, MAX_SLOT_RANGE_DAYS, rescheduleBody, slotRangeQuery, slotSchema } from '../schemas/appointments';
import { findAppointment, getAppointment, getAvailability, holdSlot, listLeadAppointments, partnerSlots, setAppointmentStatus, setAvailability, auditAppointment, type Appointment } from '../../db/appointments';
import { getPartner } from '../../db/partners';
import { verifyOutcomeToken } from '../../infra/appointment-links';
import { escapeHtml, page } from './lead-responses';
import { getLead } from '../../db/leads';
import { getLeadType, getLeadTypeByName } from '../../db/lead-types';
import { getAppointmentSettings, setAppointmentSettings } from '../../db/appointment-settings';
import { appointmentWorkflowId, cancelAppointmentUpdate, recordOutcomeUpdate, rescheduleAppointmentUpdate } from '../../workflows/appointment-messages';
import { listEligibilityReports } from '../../db/eligibility-reports';
import { leadWorkflowId } from '../../domain/ids';
import { referUpdate } from '../../workflows/messages';

/** A partner key sees only its own partner. */
const ownPartner = (principal: Principal | null, id: string) => {
  if (principal?.role === 'partner' && principal.partnerId !== id) throw notFound(`partner ${id}`);
};

const DAY = 86_400_000;
function slotRange(q: { from?: Date; to?: Date }): { from: Date; to: Date } {
  const from = q.from ?? new Date();
  const to = q.to ?? new Date(from.getTime() + 14 * DAY);
  if (to <= from) throw invalid([{ field: 'query.to', reason: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_SLOT_RANGE_DAYS * DAY) throw invalid([{ field: 'query.to', reason: `must be at most ${MAX_SLOT_RANGE_DAYS} days after from` }]);
  return { from, to };
}

const outcomeLinkQuery = z.strictObject({
  outcome: z.enum(['attended', 'no_show']),
  expires: z.coerce.number().int().positive(),
  token: z.string().min(10).max(100),
});

const appointmentParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }), appointmentId: z.uuid({ error: 'must be an appointment id (UUID)' }) });

export function appointmentRoutes({ sql, temporal, linkSecret, sealer, taskQueue }: AppDeps) {
  /**
   * An appointment booked before appointments had workflows has none. Once its lead's workflow is
   * over (so nothing else will start one), its first move, cancel or outcome starts it from
   * PostgreSQL, reminders and all; one whose workflow ran and ended stays closed.
   */
  const workflowToStart = async (a: Appointment): Promise<StartIfNeverRun | undefined> => {
    if (a.status !== 'booked' || (await isRunning(temporal, leadWorkflowId(a.leadId)))) return undefined;
    const loaded = await loadAppointment(sql, (fields) => sealer.openAll(fields), a.id);
    return loaded && { workflowType: 'appointmentWorkflow', taskQueue, args: [{ plan: planOf(loaded) }] };
  };
  // Moves and cancels go through the appointment's workflow, which moves or stops its reminders and tells the consumer and the partner.
  const changeAppointment = async <Ret, Arg>(a: Appointment, update: UpdateDefinition<Ret, [Arg]>, arg: Arg) => {
    const closed = { code: 'appointment_closed', message: `appointment ${a.id} is over: cancelled, or its outcome recorded` };
    // Just booked, its workflow may still be starting: the lead's workflow starts it once the referral is taken.
    for (const deadline = Date.now() + 10_000; ;) {
      try {
        await updateLead(temporal, appointmentWorkflowId(a.id), update, arg, closed);
        return (await getAppointment(sql, a.leadId, a.id))!;
      } catch (err) {
        if (!(err instanceof HttpError && err.code === closed.code)) throw err;
        const start = await workflowToStart(a);
        if (start) {
          await updateLead(temporal, appointmentWorkflowId(a.id), update, arg, closed, start);
          return (await getAppointment(sql, a.leadId, a.id))!;
        }
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  const audit = (a: Appointment, status: string, summary: string, detail: object = {}) => auditAppointment(sql, a, status, summary, detail);
  const bookedAppointment = async (leadId: string, id: string, principal: Principal | null) => {
    const appointment = await getAppointment(sql, leadId, id);
    // A partner key sees only its own appointments.
    if (!appointment || (principal?.role === 'partner' && principal.partnerId !== appointment.partnerId)) throw notFound(`appointment ${id} of lead ${leadId}`);
    if (appointment.status !== 'booked') throw conflict(`appointment ${id} is ${appointment.status}, not booked`);
    return appointment;
  };
  const partnerOr404 = async (id: string) => (await getPartner(sql, id)) ?? Promise.reject(notFound(`partner ${id}`));
  const appointmentLead = async (id: string) => {
    const lead = await getLead(sql, id);
    if (!lead) throw notFound(`lead ${id}`);
    const type = await getLeadTypeByName(sql, lead.leadType);
    if (type?.referralMethod !== 'appointment') throw conflict(`lead ${id} is not referred by appointment (its lead type's referral method is ${type?.referralMethod ?? 'unknown'})`);
    return lead;
  };
  /** A link from a partner's reminder email is good until the appointment counts as kept. */
  const linkedAppointment = async (id: string, q: z.infer<typeof outcomeLinkQuery>) => {
    if (!verifyOutcomeToken(linkSecret, id, q)) throw new HttpError(403, 'bad_link', 'this link is not valid for this appointment');
    if (q.expires * 1000 <= Date.now()) throw new HttpError(410, 'link_expired', `this link expired at ${new Date(q.expires * 1000).toISOString()}: the appointment counts as kept`);
    return (await findAppointment(sql, id)) ?? Promise.reject(notFound(`appointment ${id}`));
  };
  const outcomeWords = { attended: 'attended', no_show: 'a no-show' } as const;
  const leadTypeOr404 = async (id: string) => (await getLeadType(sql, id)) ?? Promise.reject(notFound(`lead type ${id}`));
  return [
    defineRoute({
      method: 'put',
      path: '/lead-types/:id/appointment-settings',
      summary: "Set a lead type's appointment reminders, outcome grace period and the consumer's contact fields",
      tags: ['appointments'],
      auth: ['operator'],
      params: idParams('lead type'),
      body: appointmentSettingsSchema,
      responses: { 200: { description: 'Stored; appointments booked from now on follow it', schema: appointmentSettingsSchema }, 404: { description: 'No such lead type' } },
      handler: async ({ params, body }) => {
        await leadTypeOr404(params.id);
        await setAppointmentSettings(sql, params.id, body);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/lead-types/:id/appointment-settings',
      summary: "A lead type's appointment settings (the defaults until set)",
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead type'),
      responses: { 200: { description: 'Its settings', schema: appointmentSettingsSchema }, 404: { description: 'No such lead type' } },
      handler: async ({ params }) => getAppointmentSettings(sql, (await leadTypeOr404(params.id)).id),
    }),
    defineRoute({
      method: 'put',
      path: '/partners/:id/appointment-availability',
      summary: "Set when a partner takes appointments",
      description: "Windows follow the partner's timezone. Booked appointments stay booked.",
      tags: ['appointments'],
      auth: ['operator', 'partner'],
      params: idParams('partner'),
      body: availabilitySchema,
      responses: { 200: { description: 'Stored', schema: availabilitySchema }, 404: { description: 'No such partner' } },
      handler: async ({ params, body, principal }) => {
        ownPartner(principal, params.id);
        await partnerOr404(params.id);
        await setAvailability(sql, params.id, body);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/appointment-availability',
      summary: "A partner's appointment availability",
      tags: ['appointments'],
      auth: ['operator', 'agent', 'partner'],
      params: idParams('partner'),
      responses: { 200: { description: 'Its availability', schema: availabilitySchema }, 404: { description: 'No such partner, or it has set no availability' } },
      handler: async ({ params, principal }) => {
        ownPartner(principal, params.id);
        return (await getAvailability(sql, params.id)) ?? Promise.reject(notFound(`appointment availability of partner ${params.id}`));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/slots',
      summary: "A partner's free appointment slots",
      description: 'Slots starting in [from, to): its availability minus booked appointments, their buffers and the minimum notice.',
      tags: ['appointments'],
      auth: ['operator', 'agent', 'partner'],
      params: idParams('partner'),
      query: slotRangeQuery,
      responses: { 200: { description: 'Free slots, earliest first', schema: z.object({ slots: z.array(slotSchema) }) }, 404: { description: 'No such partner, or it takes no appointments' } },
      handler: async ({ params, query, principal }) => {
        ownPartner(principal, params.id);
        const { from, to } = slotRange(query);
        const slots = await partnerSlots(sql, await partnerOr404(params.id), from, to);
        return slots ? { slots } : Promise.reject(notFound(`appointment availability of partner ${params.id}`));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/slots',
      summary: "Free slots of every partner eligible for an appointment lead: the agent's booking screen",
      description: 'Eligibility as last judged (on arrival, or at the last booking). Partners without appointment availability are left out.',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      query: slotRangeQuery,
      responses: {
        200: { description: 'Per eligible partner, best first', schema: z.object({ partners: z.array(z.object({ partnerId: z.uuid(), partnerName: z.string(), slots: z.array(slotSchema) })) }) },
        404: { description: 'No such lead' },
        409: { description: 'The lead is not referred by appointment' },
      },
      handler: async ({ params, query }) => {
        const { from, to } = slotRange(query);
        await appointmentLead(params.id);
        const latest = (await listEligibilityReports(sql, params.id)).at(-1);
        const eligible = new Map(latest?.report.profiles.flatMap((p) => p.assignments.filter((a) => a.eligible).map((a) => [a.partnerId, a.partnerName] as const)) ?? []);
        const partners = [];
        for (const [partnerId, partnerName] of eligible) {
          const partner = await getPartner(sql, partnerId);
          const slots = partner && (await partnerSlots(sql, partner, from, to));
          if (slots) partners.push({ partnerId, partnerName, slots });
        }
        return { partners };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/appointments',
      summary: 'Book an appointment with a partner, referring the lead to it',
      description:
        'Holds the slot (two agents never book its last place), then refers the lead to the partner as a manual referral does: judged again, offered, delivered and charged. ' +
        '409 with the reason when the slot is not free, the lead is not waiting for a referral, or the partner is not eligible; the hold is then released.',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      body: bookAppointmentBody,
      status: 201,
      responses: { 201: { description: 'Booked and referred', schema: appointmentSchema }, 404: { description: 'No such lead or partner' }, 409: { description: 'Refused, with the reason' } },
      handler: async ({ params, body, principal }) => {
        const lead = await appointmentLead(params.id);
        const partner = await partnerOr404(body.partnerId);
        const bookedBy = `${principal!.role}:${principal!.name}`;
        const outcome = await holdSlot(sql, { id: randomUUID(), leadId: lead.id, partner, start: new Date(body.start), bookedBy });
        if ('refused' in outcome) throw new HttpError(409, 'slot_taken', outcome.refused);
        const { held } = outcome;
        try {
          await updateLead(temporal, leadWorkflowId(lead.id), referUpdate, { partnerId: partner.id, referredBy: bookedBy }, {
            code: 'lead_closed', message: 'the lead takes no more appointments: it reached its final state (its referral scope is full, or its referral deadline passed)',
          });
        } catch (err) {
          await setAppointmentStatus(sql, held.id, 'released');
          await audit(held, 'released', `appointment with ${partner.name} at ${held.start} released: ${(err as Error).message}`);
          throw err;
        }
        const booked = await setAppointmentStatus(sql, held.id, 'booked');
        await audit(booked, 'booked', `appointment with ${partner.name} at ${held.start} booked by ${bookedBy}`);
        return booked;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/appointments/:appointmentId/reschedule',
      summary: 'Move a booked appointment to another free slot of the same partner (agent, or the partner itself), moving its reminders and telling the partner and the consumer',
      description: '409 with the reason when the new slot is not free, not in the future beyond the minimum notice, or the appointment is not booked or has started; the old slot is kept then.',
      tags: ['appointments'],
      auth: ['operator', 'agent', 'partner'],
      params: appointmentParams,
      body: rescheduleBody,
      responses: { 200: { description: 'Moved', schema: appointmentSchema }, 404: { description: 'No such appointment' }, 409: { description: 'Refused, with the reason' } },
      handler: async ({ params, body, principal }) => {
        const appointment = await bookedAppointment(params.id, params.appointmentId, principal);
        return changeAppointment(appointment, rescheduleAppointmentUpdate, { start: new Date(body.start).toISOString(), by: `${principal!.role}:${principal!.name}` });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/appointments/:appointmentId/cancel',
      summary: 'Cancel a booked appointment, freeing its slot, stopping its reminders and telling the partner and the consumer',
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: appointmentParams,
      body: cancelAppointmentBody,
      responses: { 200: { description: 'Cancelled', schema: appointmentSchema }, 404: { description: 'No such appointment' }, 409: { description: 'The appointment is not booked, or has started' } },
      handler: async ({ params, body, principal }) => {
        const appointment = await bookedAppointment(params.id, params.appointmentId, principal);
        return changeAppointment(appointment, cancelAppointmentUpdate, { reason: body.reason, by: `${principal!.role}:${principal!.name}` });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/portal/appointments/:id/outcome',
      summary: 'The partner records whether the consumer kept an appointment (attended) or not (no_show)',
      description: "From the appointment's start until the lead type's grace period after its end; after that it counts as kept. Once only.",
      tags: ['appointments'],
      auth: ['partner'],
      params: idParams('appointment'),
      body: outcomeBody,
      responses: { 200: { description: 'Recorded', schema: appointmentSchema }, 404: { description: 'No such appointment of yours' }, 409: { description: 'Too early, already recorded, or cancelled, with the reason' } },
      handler: async ({ params, body, principal }) => {
        const appointment = await findAppointment(sql, params.id);
        if (!appointment || appointment.partnerId !== principal!.partnerId) throw notFound(`appointment ${params.id}`);
        return changeAppointment(appointment, recordOutcomeUpdate, { outcome: body.outcome, by: `${principal!.role}:${principal!.name}` });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/appointment-outcome/:id',
      summary: "The page an attended or no-show link in a partner's reminder email opens",
      description: 'Shows a confirmation button; nothing changes until it is pressed, so mail scanners that follow links decide nothing.',
      tags: ['appointments'],
      auth: 'public',
      params: idParams('appointment'),
      query: outcomeLinkQuery,
      responses: { 200: { description: 'HTML confirmation page' }, 403: { description: 'The link is not valid' }, 404: { description: 'No such appointment' }, 410: { description: 'The link expired: the appointment counts as kept' } },
      handler: async ({ params, query, req, res }) => {
        const appointment = await linkedAppointment(params.id, query);
        res.type('html').send(page('Appointment outcome', `<h1>Record the appointment at ${escapeHtml(appointment.start)} as ${outcomeWords[query.outcome]}?</h1>
          <form method="post" action="${escapeHtml(req.originalUrl)}"><button type="submit">Confirm</button></form>`));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/appointment-outcome/:id',
      summary: "Confirm an attended or no-show link from a partner's reminder email",
      tags: ['appointments'],
      auth: 'public',
      params: idParams('appointment'),
      query: outcomeLinkQuery,
      responses: {
        200: { description: 'HTML result page' }, 403: { description: 'The link is not valid' }, 404: { description: 'No such appointment' },
        409: { description: 'Too early, already recorded, or cancelled, with the reason' }, 410: { description: 'The link expired: the appointment counts as kept' },
      },
      handler: async ({ params, query, res }) => {
        const appointment = await linkedAppointment(params.id, query);
        const partner = await partnerOr404(appointment.partnerId);
        await changeAppointment(appointment, recordOutcomeUpdate, { outcome: query.outcome, by: `partner:${partner.name} (email link)` });
        res.type('html').send(page('Thank you', `<h1>Recorded: ${outcomeWords[query.outcome]}</h1>`));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/appointments',
      summary: "A lead's appointments, released holds included",
      tags: ['appointments'],
      auth: ['operator', 'agent'],
      params: idParams('lead'),
      responses: { 200: { description: 'Earliest first', schema: z.object({ items: z.array(appointmentSchema) }) }, 404: { description: 'No such lead' } },
      handler: async ({ params }) => {
        if (!(await getLead(sql, params.id))) throw notFound(`lead ${params.id}`);
        return { items: await listLeadAppointments(sql, params.id) };
      },
    }),
  ];
}
