import { z } from 'zod';
import twilio from 'twilio';
import type { Request } from 'express';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { assertTwilioSignature } from '../twilio-signature';
import { askLead, updateLead } from '../workflow-updates';
import { getLead } from '../../db/leads';
import { getPartner } from '../../db/partners';
import { getTransferSettings, getWhisperTemplate, putTransferSettings, putWhisperTemplate } from '../../db/transfer-settings';
import { listDeliveries } from '../../db/deliveries';
import { getLeadType } from '../../db/lead-types';
import { unknownTemplateVariables } from '../../domain/templates';
import { leadWorkflowId } from '../../domain/ids';
import { appendAudit, listAudit } from '../../db/audit';
import { claimConference, conferenceOfLead, leadForConference, unclaimConference } from '../../db/transfer-conferences';
import { conferenceTwiml } from '../../infra/transfer-twiml';
import {
  CONFERENCE_EVENT_NAMES, conferenceNameFor, DEFAULT_WHISPER_TEMPLATE, INCOMING_GREETING, incomingConferenceFor, isMachine, KEY_PROMPT, TRANSFER_REQUESTED, transferConference,
  transferFromTrail, voiceUrls, whisperText, type CallStatus, type ConferenceEventName, type TransferCallEvent,
} from '../../domain/transfer';
import { transferCallSignal, transferStateQuery, transferUpdate } from '../../workflows/transfer-messages';

const leadParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) });

const callSid = z.string().regex(/^CA[0-9a-f]{32}$/, 'must be a Twilio call SID: CA and 32 hex digits');
const transferBody = z
  .strictObject({
    consumerCallSid: callSid.optional().meta({
      description: "The consumer's live Twilio call; it is moved into the lead's conference, with hold music, while partners are rung. Give this or conference",
      example: 'CA0123456789abcdef0123456789abcdef',
    }),
    // Only conferences leadrelay answered a call into report their events to us, which the transfer relies on.
    conference: z.string().regex(/^call-CA[0-9a-f]{32}$/, 'must be the conference an incoming call waits in: call-<CallSid>').optional().meta({
      description: 'The conference the consumer already waits in: a call to our number, answered by /twilio/voice/incoming, waits in call-<CallSid>. Give this or consumerCallSid',
      example: 'call-CA0123456789abcdef0123456789abcdef',
    }),
    agentCallSid: callSid.optional().meta({ description: "The agent's own live call: it joins the conference too, and leaving never ends it for the others" }),
    mode: z.enum(['warm', 'cold']).optional().meta({ description: "With agentCallSid. cold (the default): the agent's call is ended once the partner has joined; warm: the agent stays to introduce them and hangs up" }),
  })
  .superRefine((b, ctx) => {
    if (b.consumerCallSid === undefined && b.conference === undefined) ctx.addIssue({ code: 'custom', path: ['consumerCallSid'], message: "give the consumer's call (consumerCallSid) or the conference they wait in (conference)" });
    if (b.consumerCallSid !== undefined && b.conference !== undefined) ctx.addIssue({ code: 'custom', path: ['conference'], message: 'give consumerCallSid or conference, not both' });
    if (b.agentCallSid !== undefined && b.agentCallSid === b.consumerCallSid) ctx.addIssue({ code: 'custom', path: ['agentCallSid'], message: "must be the agent's call, not the consumer's" });
    if (b.mode !== undefined && b.agentCallSid === undefined) ctx.addIssue({ code: 'custom', path: ['mode'], message: "needs agentCallSid: warm or cold says what happens to the agent's call" });
  })
  .meta({ id: 'StartTransfer' });

const stepSchema = z.object({
  at: z.string(), partnerId: z.string(), partnerName: z.string(), callSid: z.string().optional(),
  step: z.string().meta({ description: 'holding, agent_joined, agent_gone, denied, dialled, initiated, ringing, answered, answered_by, pressed, busy, no-answer, failed, canceled, completed, joined, left, conference_ended, agent_dropped, refused, connected, charged, consumer_gone, consumer_hung_up' }),
  detail: z.string(),
});
const transferSchema = z.object({
  status: z.enum(['transferring', 'transferred', 'exhausted', 'abandoned', 'cancelled']).meta({ description: 'exhausted: no partner took the call; abandoned: the consumer hung up first; cancelled: the lead was cancelled' }),
  conference: z.string(),
  consumerCallSid: z.string().optional().meta({ description: 'Absent until found in the conference, when the agent named the conference' }),
  agentCallSid: z.string().optional(),
  mode: z.enum(['warm', 'cold']).optional(),
  requestedBy: z.string(),
  steps: z.array(stepSchema),
}).meta({ id: 'Transfer' });

// Twilio adds the lead and partner to every voice callback URL we give it; the consumer's call names no partner.
const callbackQuery = z.object({ leadId: z.uuid(), partnerId: z.uuid() });
const statusQuery = z.object({ leadId: z.uuid(), partnerId: z.uuid().optional() });
// Incoming calls and conference events name no lead: a conference's name says which lead claimed it.
const noQuery = z.object({});

const whisperBody = z
  .strictObject({ template: z.string().trim().min(1).max(1000).meta({ example: 'A {{lead.type}} lead from {{postcode}}, {{price}} {{currency}}.' }) })
  .meta({ id: 'TransferWhisper' });

const settingsBody = z
  .strictObject({
    ringTimeoutSeconds: z.number().int().min(5).max(120).meta({ description: "How long the partner's transfer phone rings before the next partner is tried", example: 20 }),
    minBillableSeconds: z.number().int().min(0).max(3600).meta({ description: 'How long a taken call must stay connected before the partner is charged; a shorter call is released', example: 30 }),
  })
  .meta({ id: 'TransferSettings' });
// Twilio posts every field as a string; which ones arrive depends on the callback, so the body is checked after the signature.
const voiceWebhookBody = z.record(z.string(), z.string()).meta({ id: 'TwilioVoiceWebhook', description: 'Twilio voice callback fields (CallSid, CallStatus, AnsweredBy, Digits, ...), form-encoded' });

const CALL_STATUSES: readonly string[] = ['initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'];

/** Hotkey telephone transfer: the agent's Transfer button, its live steps, and the Twilio Voice callbacks that drive it. */
export function transferRoutes({ sql, temporal, publicUrl, twilioAuthToken }: AppDeps) {
  /** Tells the lead's workflow; a lead already ended (or never transferring) has nothing to hear. */
  const tell = async (leadId: string, event: TransferCallEvent) => {
    try {
      await temporal.workflow.getHandle(leadWorkflowId(leadId)).signal(transferCallSignal, event);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  };
  const twimlReply = (res: { status(n: number): { type(t: string): { send(b: string): void } } }, twiml: InstanceType<typeof twilio.twiml.VoiceResponse>) =>
    res.status(200).type('text/xml').send(twiml.toString());
  const callback = (path: string, summary: string, description: string) => ({
    method: 'post' as const, path, summary, description, tags: ['twilio'], auth: 'public' as const, query: callbackQuery, body: voiceWebhookBody,
    responses: { 200: { description: 'TwiML' }, 403: { description: 'Missing or wrong X-Twilio-Signature; nothing changed' } },
  });
  const verified = (req: Request, body: Record<string, string>) => assertTwilioSignature(req, publicUrl, twilioAuthToken, body);

  return [
    defineRoute({
      method: 'put',
      path: '/partners/:id/transfer-settings',
      summary: "Set a partner's hotkey transfer ring timeout and billable minimum",
      tags: ['partners'],
      auth: ['operator'],
      params: z.object({ id: z.uuid({ error: 'must be a partner id (UUID)' }) }),
      body: settingsBody,
      responses: { 200: { description: 'Stored', schema: settingsBody }, 400: { description: 'Bad input, naming the field' }, 404: { description: 'No such partner' } },
      handler: async ({ params, body }) => {
        if (!(await getPartner(sql, params.id))) throw notFound(`partner ${params.id}`);
        return putTransferSettings(sql, params.id, body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/transfer-settings',
      summary: "A partner's hotkey transfer settings (20 s ring, 30 s billable minimum until set)",
      tags: ['partners'],
      auth: ['operator', 'agent'],
      params: z.object({ id: z.uuid({ error: 'must be a partner id (UUID)' }) }),
      responses: { 200: { description: 'The settings', schema: settingsBody }, 404: { description: 'No such partner' } },
      handler: async ({ params }) => {
        if (!(await getPartner(sql, params.id))) throw notFound(`partner ${params.id}`);
        return getTransferSettings(sql, params.id);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/lead-types/:id/transfer-whisper',
      summary: "Set what partners hear about a lead of this type before pressing 1 or 2",
      description: `{{ field }} placeholders, as in delivery templates: the lead type's fields, lead.id, lead.type, lead.createdAt, lead.test, partner.id, partner.name, price, currency. "${KEY_PROMPT}" always follows.`,
      tags: ['lead-types'],
      auth: ['operator'],
      params: z.object({ id: z.uuid({ error: 'must be a lead type id (UUID)' }) }),
      body: whisperBody,
      responses: { 200: { description: 'Stored', schema: whisperBody }, 400: { description: 'Bad input, naming the field (an unknown variable, say)' }, 404: { description: 'No such lead type' } },
      handler: async ({ params, body }) => {
        const leadType = await getLeadType(sql, params.id);
        if (!leadType) throw notFound(`lead type ${params.id}`);
        const unknown = unknownTemplateVariables(body.template, new Set(leadType.fields.map((f) => f.name)));
        if (unknown.length) throw new HttpError(400, 'validation_failed', `body.template: unknown variables: ${unknown.join(', ')}`, [{ field: 'body.template', reason: `unknown variables: ${unknown.join(', ')}` }]);
        await putWhisperTemplate(sql, params.id, body.template);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/lead-types/:id/transfer-whisper',
      summary: 'The whisper partners hear about a lead of this type (the default until one is set)',
      tags: ['lead-types'],
      auth: ['operator', 'agent'],
      params: z.object({ id: z.uuid({ error: 'must be a lead type id (UUID)' }) }),
      responses: { 200: { description: 'The template', schema: whisperBody }, 404: { description: 'No such lead type' } },
      handler: async ({ params }) => {
        if (!(await getLeadType(sql, params.id))) throw notFound(`lead type ${params.id}`);
        return { template: (await getWhisperTemplate(sql, params.id)) ?? DEFAULT_WHISPER_TEMPLATE };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/transfer',
      summary: "Transfer the consumer's live call to the first partner that takes it (hotkey transfer)",
      description: "For a lead type with referralMethod transfer, waiting for its referral. The consumer's call is put into the lead's conference with hold music; eligible partners are then rung in the lead's order, each hearing a whisper and pressing 1 to take the call or 2 to decline. Answers at once; watch GET /leads/{id}/transfer.",
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      body: transferBody,
      status: 202,
      responses: { 202: { description: 'Transfer started', schema: transferSchema }, 400: { description: 'Bad input, naming the field' }, 404: { description: 'No such lead' }, 409: { description: 'Not a transfer lead, not waiting for its referral, or already transferring' } },
      handler: async ({ params, body, principal }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        const request = { ...body, requestedBy: `${principal!.role}:${principal!.name}` };
        // Claimed first, so the conference's events reach this lead from the moment its workflow acts.
        const conference = transferConference(lead.id, body);
        const claim = await claimConference(sql, conference, lead.id);
        if (claim.leadId !== lead.id) {
          throw new HttpError(409, 'conflict', `conference ${conference} is already transferring lead ${claim.leadId}`, [{ field: 'body.conference', reason: `already transferring lead ${claim.leadId}` }]);
        }
        let started;
        try {
          started = await updateLead(temporal, leadWorkflowId(lead.id), transferUpdate, request);
        } catch (err) {
          if (claim.claimed) await unclaimConference(sql, conference, lead.id);
          throw err;
        }
        await appendAudit(sql, lead.id, 'transfer-requested', {
          at: new Date().toISOString(), type: TRANSFER_REQUESTED,
          summary: `transfer of ${request.consumerCallSid ? `call ${request.consumerCallSid}` : `conference ${conference}`} requested by ${request.requestedBy}`, detail: request,
        });
        return started;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/transfer',
      summary: "The lead's transfer, step by step as it happens",
      description: 'Each partner rung, its ring, answer, machine detection, key pressed, and whether it was charged. The same steps are in GET /leads/{id}/history.',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      responses: { 200: { description: 'The transfer so far', schema: transferSchema }, 404: { description: 'No such lead, or no transfer started' } },
      handler: async ({ params }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        // Live from the workflow; from the audit trail when the workflow can't answer.
        const state = (await askLead(temporal, leadWorkflowId(lead.id), transferStateQuery))
          ?? transferFromTrail(lead.id, lead.status, await listAudit(sql, lead.id));
        if (!state) throw notFound(`a transfer of lead ${params.id}`);
        return state;
      },
    }),
    defineRoute({
      ...callback('/twilio/voice/whisper', 'Twilio Voice: the partner answered; whisper the lead and gather 1 or 2',
        "Fetched by Twilio once answering-machine detection has run: a machine is hung up on and counts as a failed attempt; a person hears the lead's summary and presses 1 to take the call or 2 to decline."),
      handler: async ({ req, res, query, body }) => {
        verified(req, body);
        const twiml = new twilio.twiml.VoiceResponse();
        const answeredBy = body.AnsweredBy ?? 'unknown';
        if (body.CallSid) await tell(query.leadId, { callSid: body.CallSid, kind: 'answered_by', answeredBy });
        if (isMachine(answeredBy)) {
          twiml.hangup();
          return twimlReply(res, twiml);
        }
        const gather = twiml.gather({ numDigits: 1, timeout: 10, action: voiceUrls(publicUrl, query.leadId, query.partnerId).gather, method: 'POST' });
        const lead = await getLead(sql, query.leadId);
        if (lead) {
          const [offer] = await listDeliveries(sql, { leadId: lead.id, partnerId: query.partnerId });
          gather.say(whisperText((lead.leadTypeId && (await getWhisperTemplate(sql, lead.leadTypeId))) || DEFAULT_WHISPER_TEMPLATE, lead, offer));
        }
        gather.say(KEY_PROMPT);
        twiml.say('No key was pressed. Goodbye.');
        twiml.hangup();
        twimlReply(res, twiml);
      },
    }),
    defineRoute({
      ...callback('/twilio/voice/gather', 'Twilio Voice: the key the partner pressed',
        "1 joins the partner to the consumer in the lead's conference; any other key declines and hangs up."),
      handler: async ({ req, res, query, body }) => {
        verified(req, body);
        const digits = body.Digits ?? '';
        if (body.CallSid) await tell(query.leadId, { callSid: body.CallSid, kind: 'digits', digits });
        const twiml = new twilio.twiml.VoiceResponse();
        // The transfer's conference: an incoming call's, or the lead's own (also for transfers started before conferences were claimed).
        if (digits === '1') twiml.dial().conference({ startConferenceOnEnter: true, endConferenceOnExit: false }, (await conferenceOfLead(sql, query.leadId)) ?? conferenceNameFor(query.leadId));
        else {
          twiml.say('Declined. Goodbye.');
          twiml.hangup();
        }
        twimlReply(res, twiml);
      },
    }),
    defineRoute({
      ...callback('/twilio/voice/status', "Twilio Voice: a partner's or the consumer's call status (initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled)",
        "The statusCallback of each partner call, and of the consumer's call once on hold (no partnerId): the consumer hanging up stops the transfer and releases every hold. A duplicate changes nothing."),
      query: statusQuery,
      handler: async ({ req, res, query, body }) => {
        verified(req, body);
        if (body.CallSid && CALL_STATUSES.includes(body.CallStatus ?? '')) {
          await tell(query.leadId, {
            callSid: body.CallSid, kind: 'status', status: body.CallStatus as CallStatus, ...(body.CallDuration ? { durationSeconds: Number(body.CallDuration) } : {}),
          });
        }
        res.status(204).end();
      },
    }),
    defineRoute({
      ...callback('/twilio/voice/incoming', "Twilio Voice: a call to our number; the caller is greeted and waits in the conference call-<CallSid>",
        "Our Twilio number's voice URL. The caller hears a greeting, then hold music in the conference named after their call, which reports its joins, leaves and end to /twilio/voice/conference. The agent presses Transfer with that conference."),
      query: noQuery,
      handler: async ({ req, res, body }) => {
        verified(req, body);
        if (!body.CallSid) {
          const twiml = new twilio.twiml.VoiceResponse();
          twiml.hangup();
          return twimlReply(res, twiml);
        }
        twimlReply(res, conferenceTwiml(publicUrl, incomingConferenceFor(body.CallSid), { endConferenceOnExit: true, greeting: INCOMING_GREETING }));
      },
    }),
    defineRoute({
      ...callback('/twilio/voice/conference', 'Twilio Voice: a transfer conference event (participant-join, participant-leave, conference-end)',
        "The conference's statusCallback. Reaches the lead that claimed the conference by pressing Transfer (others are ignored): a partner's join starts its billable clock, the consumer leaving stops the transfer. A duplicate changes nothing."),
      query: noQuery,
      responses: { 204: { description: 'Heard' }, 403: { description: 'Missing or wrong X-Twilio-Signature; nothing changed' } },
      handler: async ({ req, res, body }) => {
        verified(req, body);
        const event = body.StatusCallbackEvent as ConferenceEventName;
        const leadId = body.FriendlyName && (CONFERENCE_EVENT_NAMES as readonly string[]).includes(event) ? await leadForConference(sql, body.FriendlyName) : undefined;
        if (leadId) await tell(leadId, { callSid: body.CallSid ?? '', kind: 'conference', event, conference: body.FriendlyName! });
        res.status(204).end();
      },
    }),
  ];
}
