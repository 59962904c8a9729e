import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Dispatcher } from 'undici';
import type { Sql } from '../db/client';
import { getLead } from '../db/leads';
import { getPartner } from '../db/partners';
import { markDelivered, markOutcome, recordAttempt, type DeliveryOutcome } from '../db/deliveries';
import { deliveryKey } from '../domain/ids';
import { mappedVariables, renderHeaders, renderUrl, renderWebhookBody } from '../domain/delivery-formats';
import { responseLink } from '../infra/response-links';
import type { AttemptRecord } from './delivery/attempt';
import { sendWebhook } from './delivery/webhook';
import { sendLeadEmail } from './delivery/email';
import type { capacityActivities } from './capacity';

export interface DeliveryDeps {
  sql: Sql;
  dispatcher: Dispatcher;
  mailer: Transporter;
  mailFrom: string;
  publicUrl: string;
  linkSecret: string;
  capacity: ReturnType<typeof capacityActivities>;
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
  return {
    /**
     * One attempt to hand the lead to a partner. A partner's refusal or silence is a result, not an
     * error: the workflow decides whether to retry, and the history keeps what was sent and received.
     * The delivery key is the same on every retry, so the partner can deduplicate.
     */
    async deliverLead(input: DeliverInput): Promise<AttemptRecord> {
      const [lead, partner] = await Promise.all([getLead(sql, input.leadId), getPartner(sql, input.partnerId)]);
      if (!lead || !partner) throw ApplicationFailure.nonRetryable(`lead ${input.leadId} or partner ${input.partnerId} no longer exists`, 'Gone');
      if (!partner.delivery) throw ApplicationFailure.nonRetryable(`partner ${partner.name} has no delivery method`, 'NoDeliveryMethod');
      const key = deliveryKey(lead.id, partner.id);
      const values: Record<string, unknown> = {
        ...lead.fields,
        'lead.id': lead.id,
        'lead.type': lead.leadType,
        'lead.createdAt': lead.createdAt.toISOString(),
        'partner.id': partner.id,
        'partner.name': partner.name,
        price: (input.priceMinor / 100).toFixed(2),
        currency: input.currency,
      };
      let record: AttemptRecord;
      if (partner.delivery.type === 'webhook') {
        const { delivery } = partner;
        const document = { id: lead.id, type: lead.leadType, createdAt: lead.createdAt.toISOString(), fields: lead.fields, priceMinor: input.priceMinor, currency: input.currency, awaitsResponse: input.awaitsResponse };
        const request = renderWebhookBody(document, values, delivery.fieldMapping, { format: delivery.format ?? 'json', bodyTemplate: delivery.bodyTemplate, soapAction: delivery.soapAction });
        const variables = mappedVariables(values, delivery.fieldMapping);
        record = await sendWebhook({
          delivery, signingSecret: delivery.signingSecret, webhookId: key, attempt: input.attempt, dispatcher: deps.dispatcher,
          url: renderUrl(delivery.url, variables), request: { ...request, headers: { ...renderHeaders(delivery.headers, variables), ...request.headers } },
        });
      } else {
        const links = input.awaitsResponse
          ? { accept: responseLink(deps.publicUrl, deps.linkSecret, lead.id, partner.id, 'accept'), decline: responseLink(deps.publicUrl, deps.linkSecret, lead.id, partner.id, 'decline') }
          : undefined;
        record = await sendLeadEmail({ delivery: partner.delivery, transporter: deps.mailer, from: deps.mailFrom, messageKey: key, values, fields: lead.fields, links, attempt: input.attempt });
      }
      await recordAttempt(sql, { key, leadId: lead.id, partnerId: partner.id, record });
      if (record.ok) {
        await markDelivered(sql, { key, leadId: lead.id, partnerId: partner.id, assignmentId: input.assignmentId, priceMinor: input.priceMinor, currency: input.currency, at: record.startedAt });
      }
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
      await markOutcome(sql, { leadId: input.leadId, partnerId: input.partnerId, outcome, reason, at: new Date().toISOString() });
      return { outcome, reason };
    },
  };
}
