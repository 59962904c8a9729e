import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkOutcome = 'attended' | 'no_show';

const sign = (secret: string, appointmentId: string, outcome: LinkOutcome, expires: number) =>
  createHmac('sha256', secret).update(`appointment-outcome.${appointmentId}.${outcome}.${expires}`).digest('base64url');

/**
 * An "attended" or "no-show" link in the partner's reminder email: it carries its own proof, so the
 * partner needs no API key, and its expiry (the end of the outcome grace period) is signed in with it.
 */
export function outcomeLink(publicUrl: string, secret: string, link: { appointmentId: string; outcome: LinkOutcome; expiresAt: Date }): string {
  const expires = Math.ceil(link.expiresAt.getTime() / 1000);
  const url = new URL(`/appointment-outcome/${link.appointmentId}`, publicUrl);
  url.searchParams.set('outcome', link.outcome);
  url.searchParams.set('expires', String(expires));
  url.searchParams.set('token', sign(secret, link.appointmentId, link.outcome, expires));
  return url.toString();
}

export function verifyOutcomeToken(secret: string, appointmentId: string, q: { outcome: LinkOutcome; expires: number; token: string }): boolean {
  const expected = Buffer.from(sign(secret, appointmentId, q.outcome, q.expires));
  const given = Buffer.from(q.token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
