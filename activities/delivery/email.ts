import type { Transporter } from 'nodemailer';
import type { EmailDelivery } from '../../domain/config';
import { renderTemplate } from '../../domain/templates';
import { clip, type AttemptRecord } from './attempt';

export interface EmailSend {
  delivery: EmailDelivery;
  transporter: Transporter;
  from: string;
  messageKey: string;
  values: Record<string, unknown>;
  fields: Record<string, unknown>;
  links?: { accept: string; decline: string };
  /** An appointment booked with the partner: named in the text and attached as an .ics invite. */
  appointment?: { startsAt: string; endsAt: string; invite: string };
  attempt: number;
}

/** The lead by email; Message-ID is derived from the delivery key so a re-sent copy is recognisably the same message. */
export async function sendLeadEmail({ delivery, transporter, from, messageKey, values, fields, links, appointment, attempt }: EmailSend): Promise<AttemptRecord> {
  const subject = renderTemplate(delivery.subject ?? 'New lead {{lead.id}}', values, 'none');
  const lines = delivery.bodyTemplate
    ? [renderTemplate(delivery.bodyTemplate, values, 'none')]
    : ['A new lead for you:', '', ...Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)];
  if (appointment) lines.push('', `Appointment: ${appointment.startsAt} to ${appointment.endsAt} (UTC); the invite is attached.`);
  if (links) lines.push('', `Accept: ${links.accept}`, `Decline: ${links.decline}`);
  const text = lines.join('\n');
  const messageId = `<${messageKey}@leadrelay>`;
  const startedAt = new Date();
  const started = performance.now();
  const base = { channel: 'email' as const, attempt, request: { to: delivery.addresses, headers: { subject, 'message-id': messageId }, body: clip(text) }, startedAt: startedAt.toISOString() };
  try {
    const icalEvent = appointment && { filename: 'appointment.ics', method: 'REQUEST', content: appointment.invite };
    const info = await transporter.sendMail({ from, to: delivery.addresses, subject, text, messageId, ...(icalEvent ? { icalEvent } : {}) });
    return { ...base, ok: true, response: { messageId: info.messageId, body: String(info.response ?? '') }, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ...base, ok: false, error: (err as Error).message, durationMs: Math.round(performance.now() - started) };
  }
}
