import { z } from 'zod';
import twilio from 'twilio';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { assertTwilioSignature } from '../twilio-signature';
import { findPartnerIdBySmsNumber } from '../../db/partner-statements';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { partnerStartFromDb } from '../../db/partner-ledger';
import { appointmentTextedTo, setConsumerReply } from '../../db/appointments';
import { appendAudit } from '../../db/audit';

/** A consumer's answer to an appointment reminder. */
const REPLIES: Record<string, { reply: 'confirmed' | 'call_back'; text: string }> = {
  C: { reply: 'confirmed', text: 'Thank you: your appointment is confirmed.' },
  R: { reply: 'call_back', text: 'Thank you: we will call you back about your appointment.' },
};

const COMMANDS: Record<string, { paused: boolean; reply: string }> = {
  'LEADS ON': { paused: false, reply: 'leadrelay: lead deliveries are ON. Text LEADS OFF to pause them.' },
  'LEADS OFF': { paused: true, reply: 'leadrelay: lead deliveries are OFF (paused). Text LEADS ON to resume them.' },
};

// Twilio posts every field as a string; which ones arrive depends on the message, so the body is checked after the signature.
const smsWebhookBody = z.record(z.string(), z.string()).meta({ id: 'TwilioSmsWebhook', description: 'Twilio inbound message fields (From, Body, ...), form-encoded' });

/** Partners pause and resume deliveries by texting LEADS ON / LEADS OFF to the service's Twilio number. */
export function twilioSmsRoutes({ sql, temporal, taskQueue, publicUrl, twilioAuthToken, sealer }: AppDeps) {
  const partners = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql));
  return [
    defineRoute({
      method: 'post',
      path: '/twilio/sms',
      summary: 'Twilio inbound SMS webhook: LEADS ON / LEADS OFF from partners, C / R replies to appointment reminders from consumers',
      description: 'Verified by X-Twilio-Signature against PUBLIC_URL and TWILIO_AUTH_TOKEN. The sender must be a partner\'s SMS number, or a consumer texted a reminder of an upcoming appointment. Answers with TwiML.',
      tags: ['twilio'],
      auth: 'public',
      body: smsWebhookBody,
      responses: { 200: { description: 'TwiML reply confirming the state' }, 403: { description: 'Missing or wrong signature; nothing changed' } },
      handler: async ({ req, res, body }) => {
        assertTwilioSignature(req, publicUrl, twilioAuthToken, body);
        const reply = await answer(body.From ?? '', body.Body ?? '');
        const twiml = new twilio.twiml.MessagingResponse();
        twiml.message(reply);
        res.status(200).type('text/xml').send(twiml.toString());
      },
    }),
  ];

  async function answer(from: string, text: string): Promise<string> {
    const partnerId = from ? await findPartnerIdBySmsNumber(sql, from) : undefined;
    if (!partnerId) return (from ? await consumerReply(from, text) : undefined) ?? 'leadrelay: this number is not registered to a partner account.';
    const command = COMMANDS[text.trim().replace(/\s+/g, ' ').toUpperCase()];
    if (!command) return 'leadrelay: text LEADS ON to resume lead deliveries or LEADS OFF to pause them.';
    await partners.setPaused(partnerId, { paused: command.paused, by: 'sms' });
    return command.reply;
  }

  /** C or R from a consumer with an upcoming appointment it was texted about; undefined when the sender has none. */
  async function consumerReply(from: string, text: string): Promise<string | undefined> {
    const appointment = await appointmentTextedTo(sql, (stored) => sealer.open(JSON.parse(stored)) === from);
    if (!appointment) return undefined;
    const answer = REPLIES[text.trim().toUpperCase()];
    if (!answer) return 'Reply C to confirm your appointment or R for a call back.';
    const replied = await setConsumerReply(sql, appointment.id, answer.reply, new Date());
    await appendAudit(sql, replied.leadId, `appointment:${replied.id}:reply:${replied.consumerRepliedAt}`, {
      at: replied.consumerRepliedAt!, type: 'appointment_consumer_reply', summary: `the consumer ${answer.reply === 'confirmed' ? 'confirmed the appointment' : 'asked for a call back'} by SMS`, detail: { appointment: replied },
    });
    return answer.text;
  }
}
