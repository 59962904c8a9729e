import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Decision } from '../domain/lead-state';

const sign = (secret: string, leadId: string, partnerId: string, decision: Decision) =>
  createHmac('sha256', secret).update(`${leadId}.${partnerId}.${decision}`).digest('base64url');

/** The accept or decline link in a lead email: it carries its own proof, so the partner needs no API key to use it. */
export function responseLink(publicUrl: string, secret: string, leadId: string, partnerId: string, decision: Decision): string {
  const url = new URL(`/respond/${leadId}`, publicUrl);
  url.searchParams.set('partner', partnerId);
  url.searchParams.set('decision', decision);
  url.searchParams.set('token', sign(secret, leadId, partnerId, decision));
  return url.toString();
}

export function verifyResponseToken(secret: string, leadId: string, partnerId: string, decision: Decision, token: string): boolean {
  const expected = Buffer.from(sign(secret, leadId, partnerId, decision));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
