import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Decision } from '../domain/lead-state';

const sign = (secret: string, leadId: string, partnerId: string, decision: Decision, expires: number) =>
  createHmac('sha256', secret).update(`${leadId}.${partnerId}.${decision}.${expires}`).digest('base64url');

/**
 * The accept or decline link in a lead email: it carries its own proof, so the partner needs no API
 * key to use it, and its expiry (the acceptance window's end) is signed in with it.
 */
export function responseLink(publicUrl: string, secret: string, link: { leadId: string; partnerId: string; decision: Decision; expiresAt: Date }): string {
  const expires = Math.ceil(link.expiresAt.getTime() / 1000);
  const url = new URL(`/respond/${link.leadId}`, publicUrl);
  url.searchParams.set('partner', link.partnerId);
  url.searchParams.set('decision', link.decision);
  url.searchParams.set('expires', String(expires));
  url.searchParams.set('token', sign(secret, link.leadId, link.partnerId, link.decision, expires));
  return url.toString();
}

export function verifyResponseToken(secret: string, leadId: string, q: { partner: string; decision: Decision; expires: number; token: string }): boolean {
  const expected = Buffer.from(sign(secret, leadId, q.partner, q.decision, q.expires));
  const given = Buffer.from(q.token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
