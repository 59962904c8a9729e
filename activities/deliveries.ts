import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Dispatcher } from 'undici';
import type { Sql } from '../db/client';
import { getLead } from '../db/leads';
import { getLeadType } from '../db/lead-types';
import { bookedAppointment, deferAppointmentCharge } from '../db/appointments';
import { appointmentInvite } from './delivery/appointment-invite';
import { getPartner } from '../db/partners';
import { markDelivered, markOutcome, markRespondBy, recordAttempt, type DeliveryOutcome } from '../db/deliveries';
import { appendAudit } from '../db/audit';
import { recordDeliveryFailure, recordDeliverySuccess } from '../db/circuits';
import { DEFAULT_CIRCUIT_BREAKER } from '../domain/circuit';
import type { Partner, WebhookDelivery } from '../domain/config';
import type { Metrics } from '../infra/metrics';
import { sealedFieldNames, type FieldSealer } from '../infra/field-sealing';
import { deliveryKey } from '../domain/ids';
import { mappedVariables, renderHeaders, renderUrl, renderWebhookBody } from '../domain/delivery-formats';
import { responseLink } from '../infra/response-links';
import type { AttemptRecord } from './delivery/attempt';
import { sendWebhook } from './delivery/webhook';
import { sendLeadEmail } from './delivery/email';
import { placeInPortal } from './delivery/portal';
import type { capacityActivities } from './capacity';

export interface DeliveryDeps {
  sql: Sql;
  dispatcher: Dispatcher;
  mailer: Transporter;
  mailFrom: string;
  publicUrl: string;
  linkSecret: string;
  capacity: ReturnType<typeof capacityActivities>;
  /** Told when a partner's circuit opens; nobody is told without it. */
  operatorEmail?: string;
  metrics: Metrics;
  sealer: FieldSealer;
}

export interface DeliverInput {
  leadId: string;
  partnerId: string;
  assignmentId: string;
  /** The workflow's attempt number, 1-based. */
  attempt: number;
  priceMinor: number;
  currency: string;
  awaitsResponse: boolean;
}

export interface SettleInput {
  leadId: string;
  partnerId: string;
  reservationId: string;
  priceMinor: number;
  outcome: DeliveryOutcome;
  reason?: string;
}

export function deliveryActivities(deps: DeliveryDeps) {
  const { sql } = deps;
  /** Consecutive deliveries that failed for good open the partner's circuit; a success closes it. Operators hear once when it opens. */
  const trackCircuit = async (partner: Partner, record: AttemptRecord, attempt: number) => {
    if (record.ok) return recordDeliverySuccess(sql, partner.id);
    const maxAttempts = partner.delivery?.type === 'webhook' ? partner.delivery.maxAttempts : 3;
    if (attempt < maxAttempts) return;
    const settings = partner.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER;
    const opened = await recordDeliveryFailure(sql, partner.id, record.error ?? 'delivery failed', settings.failureThreshold);
    if (opened && deps.operatorEmail) {
      // The circuit is open whether or not the notice gets out; a failed notice must not redo the count.
      await deps.mailer.sendMail({
        from: deps.mailFrom, to: deps.operatorEmail,
        subject: `leadrelay: ${partner.name}'s endpoint is failing; its circuit is open`,
        text: `${settings.failureThreshold} deliveries in a row to ${partner.name} (partner ${partner.id}) failed; the last: ${record.error}.\nLeads skip it for ${settings.cooldownSeconds} s, then one lead probes it; a success closes the circuit.`,
      }).catch((err: Error) => log.warn('circuit-open notice not sent', { partnerId: partner.id, error: err.message }));
    }
  };
  const recordSettlement = async (leadId: string, partnerId: string, outcome: DeliveryOutcome, priceMinor: number, reason?: string, charged: boolean | 'when kept' = outcome === 'accepted') => {
    const at = new Date().toISOString();
    deps.metrics.deliveries.inc({ partner_id: partnerId, outcome });
    await markOutcome(sql, { leadId, partnerId, outcome, reason, at });
    await appendAudit(sql, leadId, `settle:${partnerId}`, {
      at,
      type: `delivery_${outcome}`,
      summary: `partner ${partnerId}: ${outcome}${reason ? ` (${reason})` : ''}; price ${priceMinor} (minor units)${charged === 'when kept' ? ' locked, charged once the appointment is kept' : charged ? ' charged' : ' not charged'}`,
      detail: { partnerId, outcome, reason, priceMinor },
    });
  };
  /** A signed JSON event (not a lead) to a webhook partner, on its URL with its headers. */
  const sendEvent = (partner: Partner & { delivery: WebhookDelivery }, webhookId: string, body: string, values: Record<string, unknown>) => sendWebhook({
    delivery: { ...partner.delivery, format: 'json' }, webhookId, attempt: 1, dispatcher: deps.dispatcher,
    url: renderUrl(partner.delivery.url, values), request: { contentType: 'application/json', headers: renderHeaders(partner.delivery.headers, values), body },
  });
  /** The email's accept and decline links, valid until its acceptance window closes (a week if the lead type has none). */
  const answerLinks = async (leadId: string, leadTypeId: string | null, partnerId: string) => {
    const leadType = leadTypeId ? await getLeadType(sql, leadTypeId) : undefined;
    const expiresAt = new Date(Date.now() + (leadType?.acceptanceWindowSeconds ?? 7 * 86400) * 1000);
    const link = (decision: 'accept' | 'decline') => responseLink(deps.publicUrl, deps.linkSecret, { leadId, partnerId, decision, expiresAt });
    return { accept: link('accept'), decline: link('decline') };
  };

  return {
    /**
     * One attempt to hand the lead to a partner. A partner's refusal or silence is a result, not an
     * error: the workflow decides whether to retry, and the history keeps what was sent and received.
     * The delivery key is the same on every retry, so the partner can deduplicate.
     */
    async deliverLead(input: DeliverInput): Promise<AttemptRecord> {
      const [lead, partner, booked] = await Promise.all([getLead(sql, input.leadId), getPartner(sql, input.partnerId), bookedAppointment(sql, input.leadId, input.partnerId)]);
      if (!lead || !partner) throw ApplicationFailure.nonRetryable(`lead ${input.leadId} or partner ${input.partnerId} no longer exists`, 'Gone');
      if (!partner.delivery) throw ApplicationFailure.nonRetryable(`partner ${partner.name} has no delivery method`, 'NoDeliveryMethod');
      const key = deliveryKey(lead.id, partner.id);
      // The delivery itself carries sealed fields in clear: the partner bought them.
      const fields = deps.sealer.openAll(lead.fields);
      const appointment = booked && { id: booked.id, startsAt: booked.start, endsAt: booked.end };
      const values: Record<string, unknown> = {
        ...fields,
        'lead.id': lead.id,
        'lead.type': lead.leadType,
        'lead.createdAt': lead.createdAt.toISOString(),
        'partner.id': partner.id,
        'partner.name': partner.name,
        'appointment.startsAt': appointment?.startsAt ?? '',
        'appointment.endsAt': appointment?.endsAt ?? '',
        'lead.test': lead.testProfileId !== null,
        price: (input.priceMinor / 100).toFixed(2),
        currency: input.currency,
      };
      let record: AttemptRecord;
      if (partner.delivery.type === 'webhook') {
        const { delivery } = partner;
        const document = {
          id: lead.id, type: lead.leadType, createdAt: lead.createdAt.toISOString(), fields, priceMinor: input.priceMinor, currency: input.currency,
          awaitsResponse: input.awaitsResponse, test: lead.testProfileId !== null, ...(appointment ? { appointment } : {}),
        };
        const request = renderWebhookBody(document, values, delivery.fieldMapping, { format: delivery.format ?? 'json', bodyTemplate: delivery.bodyTemplate, soapAction: delivery.soapAction });
        const variables = mappedVariables(values, delivery.fieldMapping);
        record = await sendWebhook({
          delivery, webhookId: key, attempt: input.attempt, dispatcher: deps.dispatcher,
          url: renderUrl(delivery.url, variables), request: { ...request, headers: { ...renderHeaders(delivery.headers, variables), ...request.headers } },
        });
      } else if (partner.delivery.type === 'portal') {
        record = await placeInPortal({
          partner, notify: partner.delivery.notifyByEmail, transporter: deps.mailer, from: deps.mailFrom, messageKey: key,
          portalUrl: `${deps.publicUrl}/portal/leads`, leadId: lead.id, attempt: input.attempt,
        });
      } else {
        const links = input.awaitsResponse ? await answerLinks(lead.id, lead.leadTypeId, partner.id) : undefined;
        const delivery = lead.testProfileId ? { ...partner.delivery, subject: `[TEST] ${partner.delivery.subject ?? 'New lead {{lead.id}}'}` } : partner.delivery;
        const invite = booked && { startsAt: booked.start, endsAt: booked.end, invite: appointmentInvite(booked, `${lead.leadType} appointment (lead ${lead.id})`) };
        record = await sendLeadEmail({ delivery, transporter: deps.mailer, from: deps.mailFrom, messageKey: key, values, fields, links, appointment: invite, attempt: input.attempt });
      }
      record = keptRecord(record, { sealer: sealedFieldNames(lead.fields).length > 0 ? deps.sealer : undefined, secretHeaders: partner.delivery.type === 'webhook' ? Object.keys(partner.delivery.headers ?? {}) : [] });
      // Each is idempotent and none reads another's rows: they share the round trip. The circuit counts last, so a
      // retry after one of these failed doesn't count the same failed attempt twice.
      const [, , firstDelivered] = await Promise.all([
        recordAttempt(sql, { key, leadId: lead.id, partnerId: partner.id, record }),
        appendAudit(sql, lead.id, `attempt:${partner.id}:${input.attempt}`, {
          at: record.startedAt,
          type: 'delivery_attempt',
          summary: `attempt ${input.attempt} to ${partner.name} by ${record.channel}: ${record.ok ? `delivered${record.response?.status ? ` (HTTP ${record.response.status})` : ''}` : `failed (${record.error})`}`,
          detail: record,
        }),
        record.ok && markDelivered(sql, { key, leadId: lead.id, partnerId: partner.id, assignmentId: input.assignmentId, priceMinor: input.priceMinor, currency: input.currency, at: record.startedAt }),
      ]);
      await trackCircuit(partner, record, input.attempt);
      if (record.channel === 'webhook') deps.metrics.webhookResponse.observe({ ok: String(record.ok) }, record.durationMs / 1000);
      if (firstDelivered) deps.metrics.intakeToDelivery.observe((Date.parse(record.startedAt) - lead.createdAt.getTime()) / 1000);
      return record;
    },

    /**
     * Commits the partner's reservation for an accepted lead (charging the locked price) or releases
     * it, and records the outcome. A hold that expired before the answer arrived can't be committed:
     * the delivery then counts as failed, and says so, rather than failing the lead.
     */
    async settleDelivery(input: SettleInput): Promise<{ outcome: DeliveryOutcome; reason?: string }> {
      const settle = { partnerId: input.partnerId, reservationId: input.reservationId, leadId: input.leadId };
      let { outcome, reason } = input;
      try {
        if (outcome === 'accepted') await deps.capacity.commitReservation({ ...settle, priceMinor: input.priceMinor });
        else await deps.capacity.releaseReservation({ ...settle, reason: reason ?? outcome });
      } catch (err) {
        if ((err as ApplicationFailure).type !== 'CapacityUpdateRefused') throw err;
        if (outcome === 'accepted') {
          outcome = 'failed';
          reason = `the capacity hold ended before the acceptance was recorded: ${(err as Error).message}`;
        }
      }
      await recordSettlement(input.leadId, input.partnerId, outcome, input.priceMinor, reason);
      return { outcome, reason };
    },

    /**
     * Charges an accepted lead at its locked price. Refused when the partner's hold is gone (a worker
     * outage outlasted it): the partner is then told the lead is no longer available, never that it
     * was accepted, so nobody holds a lead that was not charged. A booked appointment whose assignment
     * charges once it is kept counts against the caps now, at no charge; its price is locked on the
     * appointment, and charged when its outcome is attended or kept.
     */
    async acceptDelivery(input: { leadId: string; partnerId: string; reservationId: string; priceMinor: number; appointmentCharge?: 'booked' | 'kept'; assignmentId?: string }): Promise<void> {
      const settle = { leadId: input.leadId, partnerId: input.partnerId, reservationId: input.reservationId };
      const appointment = input.appointmentCharge === 'kept' ? await bookedAppointment(sql, input.leadId, input.partnerId) : undefined;
      if (appointment) await deferAppointmentCharge(sql, appointment.id, { priceMinor: input.priceMinor, assignmentId: input.assignmentId ?? null });
      await deps.capacity.commitReservation({ ...settle, priceMinor: appointment ? 0 : input.priceMinor });
      await recordSettlement(input.leadId, input.partnerId, 'accepted', input.priceMinor, undefined, appointment ? 'when kept' : true);
    },

    /** Releases the hold of a lead the partner won't have, and records why. A hold already gone is already released. */
    async releaseDelivery(input: { leadId: string; partnerId: string; reservationId: string; priceMinor: number; outcome: Exclude<DeliveryOutcome, 'accepted'>; reason: string }): Promise<void> {
      try {
        await deps.capacity.releaseReservation({ leadId: input.leadId, partnerId: input.partnerId, reservationId: input.reservationId, reason: input.reason });
      } catch (err) {
        if ((err as ApplicationFailure).type !== 'CapacityUpdateRefused') throw err;
      }
      await recordSettlement(input.leadId, input.partnerId, input.outcome, input.priceMinor, input.reason);
    },

    /** The outcome of a test lead's delivery: recorded, never charged, no hold to release. */
    async settleTestDelivery(input: { leadId: string; partnerId: string; outcome: DeliveryOutcome; reason?: string }): Promise<void> {
      await recordSettlement(input.leadId, input.partnerId, input.outcome, 0, input.reason ? `test lead: ${input.reason}` : 'test lead', false);
    },

    /** Tells a partner that was offered the lead that it is no longer on offer: a signed webhook event, or an email. */
    async notifyWithdrawn(input: { leadId: string; partnerId: string; reason: string }): Promise<void> {
      const partner = await getPartner(sql, input.partnerId);
      if (!partner?.delivery) return;
      const key = `${deliveryKey(input.leadId, input.partnerId)}_withdrawn`;
      const body = JSON.stringify({ type: 'lead.withdrawn', leadId: input.leadId, reason: input.reason });
      const values = { 'lead.id': input.leadId, 'partner.id': partner.id, 'partner.name': partner.name };
      // The portal shows a withdrawn lead as such; its partner hears by email only if it asked for notices.
      if (partner.delivery.type === 'portal' && !partner.delivery.notifyByEmail) return;
      const record = partner.delivery.type === 'webhook'
        ? await sendEvent({ ...partner, delivery: partner.delivery }, key, body, values)
        : await sendLeadEmail({
          delivery: {
            type: 'email', addresses: partner.delivery.type === 'email' ? partner.delivery.addresses : [partner.email],
            subject: 'Lead {{lead.id}} withdrawn', bodyTemplate: `Lead {{lead.id}} is no longer on offer: ${input.reason}`,
          },
          transporter: deps.mailer, from: deps.mailFrom, messageKey: key, values, fields: {}, attempt: 1,
        });
      if (!record.ok) throw new Error(`withdrawal notice to ${partner.name} failed: ${record.error}`);
      await appendAudit(sql, input.leadId, `withdrawn:${input.partnerId}`, { at: record.startedAt, type: 'partner_told_withdrawn', summary: `${partner.name} told the lead is withdrawn (${record.channel})` });
    },

    /**
     * One signed webhook event about a lead the partner has (an appointment moved or cancelled):
     * null when the partner takes no webhooks. Its webhook-id is the key, so a partner deduplicates a resend.
     */
    async sendPartnerEvent(input: { leadId: string; partnerId: string; key: string; event: Record<string, unknown> }): Promise<AttemptRecord | null> {
      const partner = await getPartner(sql, input.partnerId);
      if (partner?.delivery?.type !== 'webhook') return null;
      const values = { 'lead.id': input.leadId, 'partner.id': partner.id, 'partner.name': partner.name };
      return sendEvent({ ...partner, delivery: partner.delivery }, `${deliveryKey(input.leadId, partner.id)}_${input.key}`, JSON.stringify({ ...input.event, leadId: input.leadId }), values);
    },

    /** Keeps the deadline a partner must answer by, and the workflow that hears the answer, where the API reads them. */
    async recordRespondBy(input: { leadId: string; partnerId: string; respondBy: string }): Promise<void> {
      await markRespondBy(sql, { ...input, workflowId: Context.current().info.workflowExecution!.workflowId });
    },
  };
}

/**
 * What is kept of an attempt, in PostgreSQL and in the workflow's history: a partner's custom header
 * values (often bearer tokens) never, and a request carrying sealed fields only sealed.
 */
function keptRecord(record: AttemptRecord, opts: { sealer?: FieldSealer; secretHeaders: string[] }): AttemptRecord {
  const secret = new Set(opts.secretHeaders.map((h) => h.toLowerCase()));
  const headers = Object.fromEntries(Object.entries(record.request.headers).map(([name, v]) => [name, secret.has(name.toLowerCase()) ? '[redacted]' : v]));
  const { sealer } = opts;
  const request = { ...record.request, headers };
  if (sealer) Object.assign(request, { body: sealer.seal(request.body), ...(request.url ? { url: sealer.seal(request.url) } : {}) });
  return { ...record, request };
}
