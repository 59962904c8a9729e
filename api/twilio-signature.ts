import type { Request } from 'express';
import twilio from 'twilio';
import { HttpError } from './http-error';

/** Twilio signs each webhook over the URL it called (PUBLIC_URL + path and query) and the form fields; 403 otherwise. */
export function assertTwilioSignature(req: Request, publicUrl: string, authToken: string, body: Record<string, string>): void {
  const signature = req.header('x-twilio-signature') ?? '';
  const url = new URL(req.originalUrl, publicUrl).toString();
  if (!signature || !twilio.validateRequest(authToken, signature, url, body)) {
    throw new HttpError(403, 'bad_signature', 'X-Twilio-Signature does not match this request');
  }
}
