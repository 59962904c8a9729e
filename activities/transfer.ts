import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../db/client';
import { appendAudit, findAudit } from '../db/audit';
import { getPartner } from '../db/partners';
import { markDelivered } from '../db/deliveries';
import { deliveryKey } from '../domain/ids';
import type { Env } from '../infra/env';
import { createTwilioClient, forwardingHttpClient, type TwilioHttpClient } from '../infra/twilio';
import { conferenceNameFor, consumerStatusUrl, voiceUrls, type TransferSettings } from '../domain/transfer';
import { conferenceTwiml } from '../infra/transfer-twiml';
import { getTransferSettings } from '../db/transfer-settings';

/** Twilio answered 4xx: asking again gets the same answer. */
const refusedByTwilio = (err: unknown) => {
  const status = (err as { status?: number }).status ?? 0;
  return status >= 400 && status < 500;
};

export type DialResult = { dialled: true; callSid: string; to: string } | { dialled: false; reason: string };

/** Twilio Programmable Voice for hotkey transfers: the real client, against api.twilio.com or the simulator. */
export function transferActivities(sql: Sql, env: Env, httpClient?: TwilioHttpClient) {
  const client = createTwilioClient(env, { httpClient: httpClient ?? (env.TWILIO_API_BASE_URL ? forwardingHttpClient(env.TWILIO_API_BASE_URL) : undefined) });
  /** Twilio refusing the call (a 4xx: a bad number, a blocked destination) fails this partner; anything else is retried. */
  const createCall = async (params: Parameters<typeof client.calls.create>[0]): Promise<{ sid: string } | { refused: string }> => {
    try {
      return await client.calls.create(params);
    } catch (err) {
      if (refusedByTwilio(err)) return { refused: `Twilio refused the call: ${(err as Error).message}` };
      throw err;
    }
  };
  return {
    /** The partner's ring timeout and billable minimum. */
    async loadTransferSettings(input: { partnerId: string }): Promise<TransferSettings> {
      return getTransferSettings(sql, input.partnerId);
    },

    /**
     * Puts the consumer's call into the lead's conference, where they hear hold music until a partner joins; its
     * hang-up, and the conference's joins, leaves and end, are reported to us.
     */
    async holdConsumer(input: { leadId: string; consumerCallSid: string }): Promise<void> {
      const twiml = conferenceTwiml(env.PUBLIC_URL, conferenceNameFor(input.leadId), { endConferenceOnExit: true });
      try {
        await client.calls(input.consumerCallSid).update({ twiml: twiml.toString(), statusCallback: consumerStatusUrl(env.PUBLIC_URL, input.leadId), statusCallbackMethod: 'POST' });
      } catch (err) {
        // No such call, or one already ended. Anything else is retried.
        if (!refusedByTwilio(err)) throw err;
        throw ApplicationFailure.nonRetryable(`the consumer's call ${input.consumerCallSid} could not be put on hold: ${(err as Error).message}`, 'ConsumerCallGone');
      }
    },

    /**
     * Rings the partner's transfer number. Answering-machine detection runs before the whisper TwiML is
     * fetched; Twilio ends the call as no-answer after the ring timeout. A retry after the call was
     * placed finds the recorded call instead of dialling the partner twice.
     */
    async dialTransferPartner(input: { leadId: string; partnerId: string; assignmentId: string; priceMinor: number; currency: string; ringTimeoutSeconds: number }): Promise<DialResult> {
      const key = `transfer-dial:${input.partnerId}`;
      const earlier = await findAudit(sql, input.leadId, key);
      if (earlier) return earlier.detail as DialResult;
      const partner = await getPartner(sql, input.partnerId);
      if (!partner?.transferPhone) return { dialled: false, reason: 'the partner has no transfer phone number' };
      const urls = voiceUrls(env.PUBLIC_URL, input.leadId, input.partnerId);
      // Offered at the locked price before the phone rings: the whisper reads the price from here.
      await markDelivered(sql, {
        key: deliveryKey(input.leadId, input.partnerId), leadId: input.leadId, partnerId: input.partnerId, assignmentId: input.assignmentId,
        priceMinor: input.priceMinor, currency: input.currency, at: new Date().toISOString(),
      });
      const call = await createCall({
        to: partner.transferPhone,
        from: env.TWILIO_FROM_NUMBER,
        url: urls.whisper,
        method: 'POST',
        statusCallback: urls.status,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        machineDetection: 'Enable',
        timeout: input.ringTimeoutSeconds,
      });
      if ('refused' in call) return { dialled: false, reason: call.refused };
      const result: DialResult = { dialled: true, callSid: call.sid, to: partner.transferPhone };
      await appendAudit(sql, input.leadId, key, {
        at: new Date().toISOString(), type: 'transfer_dialled', summary: `dialled ${partner.name} on ${partner.transferPhone} (call ${call.sid})`, detail: result,
      });
      return result;
    },

    /**
     * The consumer's call in a conference they already wait in (an incoming call): its first participant
     * other than the agent. Undefined when the conference has ended or nobody but the agent is in it.
     */
    async findConsumer(input: { conference: string; agentCallSid?: string }): Promise<{ consumerCallSid: string } | undefined> {
      const [live] = await client.conferences.list({ friendlyName: input.conference, status: 'in-progress', limit: 1 });
      if (!live) return undefined;
      const participants = await client.conferences(live.sid).participants.list({ limit: 50 });
      const consumer = participants.find((p) => p.callSid !== input.agentCallSid);
      return consumer ? { consumerCallSid: consumer.callSid } : undefined;
    },

    /**
     * Moves the agent's call into the transfer's conference; the agent leaving never ends it for the others.
     * False when the agent's call has already ended.
     */
    async joinAgent(input: { conference: string; agentCallSid: string }): Promise<boolean> {
      const twiml = conferenceTwiml(env.PUBLIC_URL, input.conference, { endConferenceOnExit: false });
      try {
        await client.calls(input.agentCallSid).update({ twiml: twiml.toString() });
        return true;
      } catch (err) {
        if (!refusedByTwilio(err)) throw err;
        return false;
      }
    },

    /** Ends a partner's call that must not go on (a machine, or the transfer gave up on it); an ended call stays ended. */
    async hangUpCall(input: { callSid: string }): Promise<void> {
      try {
        await client.calls(input.callSid).update({ status: 'completed' });
      } catch (err) {
        // No such call, or (21220) one no longer in progress.
        const { status, code } = err as { status?: number; code?: number };
        if (status !== 404 && code !== 21220) throw err;
      }
    },
  };
}
