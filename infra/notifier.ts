import nodemailer from 'nodemailer';
import type { Twilio } from 'twilio';
import type { Env } from './env';
import { createTwilioClient, type TwilioHttpClient } from './twilio';

/** An iCalendar event sent as the email's calendar part, so mail clients offer to add, move or remove it. */
export interface CalendarInvite { method: 'REQUEST' | 'CANCEL'; content: string }

/** How leadrelay reaches a person outside the API: email over SMTP and SMS through Twilio. */
export interface Notifier {
  email(message: { to: string; subject: string; text: string; invite?: CalendarInvite }): Promise<void>;
  sms(message: { to: string; body: string }): Promise<void>;
}

export function createNotifier(
  env: Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_FROM_NUMBER'>,
  options: { twilioHttpClient?: TwilioHttpClient } = {},
): Notifier {
  const mail = nodemailer.createTransport(env.SMTP_URL);
  const sms: Twilio = createTwilioClient(env, { httpClient: options.twilioHttpClient });
  return {
    async email({ to, subject, text, invite }) {
      await mail.sendMail({ from: env.MAIL_FROM, to, subject, text, ...(invite ? { icalEvent: { filename: 'appointment.ics', ...invite } } : {}) });
    },
    async sms({ to, body }) {
      await sms.messages.create({ from: env.TWILIO_FROM_NUMBER, to, body });
    },
  };
}
