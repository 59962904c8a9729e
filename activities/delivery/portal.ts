import type { Transporter } from 'nodemailer';
import type { Partner } from '../../domain/config';
import type { AttemptRecord } from './attempt';

/**
 * Portal delivery: the lead is the partner's as soon as its delivery row is written, and waits in
 * GET /portal/leads. The email notice, when the partner wants one, is a courtesy: if it can't be
 * sent the lead is still delivered, and the attempt record says the notice failed.
 */
export async function placeInPortal(opts: { partner: Partner; notify: boolean; transporter: Transporter; from: string; messageKey: string; portalUrl: string; leadId: string; attempt: number }): Promise<AttemptRecord> {
  const startedAt = new Date();
  const started = performance.now();
  let notice = 'no notice wanted';
  if (opts.notify) {
    notice = await opts.transporter
      .sendMail({
        from: opts.from, to: opts.partner.email, messageId: `<${opts.messageKey}@leadrelay>`,
        subject: 'A new lead is waiting in your leadrelay portal',
        text: `Lead ${opts.leadId} is waiting for you: ${opts.portalUrl}`,
      })
      .then((info) => `notice sent to ${opts.partner.email} (${info.messageId})`, (err: Error) => `notice to ${opts.partner.email} failed: ${err.message}`);
  }
  return {
    channel: 'portal', attempt: opts.attempt, ok: true, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - started),
    request: { to: opts.notify ? [opts.partner.email] : [], headers: {}, body: `lead ${opts.leadId} placed in the portal` },
    response: { body: notice },
  };
}
