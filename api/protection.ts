import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { hashApiKey } from './auth';
import { HttpError } from './http-error';

export interface RateLimits {
  /** Requests a minute for each API key. */
  perKeyPerMinute: number;
  /** Requests a minute for each address calling without a key (email links, sign-up). */
  perAddressPerMinute: number;
  /** Partner sign-ups an hour from one address. */
  signupsPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perKeyPerMinute: 12_000, perAddressPerMinute: 300, signupsPerHour: 20 };

/** The bearer key, hashed so the limiter's memory never holds a usable key; the address without one. */
const caller = (req: Request) => {
  const bearer = /^Bearer\s+(\S+)/i.exec(req.header('authorization') ?? '')?.[1];
  // IPv6 addresses count per /56, so one host can't walk its own subnet to dodge the limit.
  return bearer ? `key:${hashApiKey(bearer)}` : `address:${ipKeyGenerator(req.ip ?? '')}`;
};

const refuse = (message: string): RequestHandler => (_req, _res, next) =>
  next(new HttpError(429, 'rate_limited', `${message}; wait for the time in Retry-After, then try again`));

/**
 * Standard security headers (helmet) and rate limits (express-rate-limit), kept in each API
 * process's memory: per key, per address for calls without one, and tighter for sign-ups. Twilio's
 * webhooks are signed and come from Twilio's shared addresses, so they are not limited by address.
 */
export function protection(limits: RateLimits): RequestHandler[] {
  const common = { standardHeaders: 'draft-8' as const, legacyHeaders: false, keyGenerator: caller };
  return [
    helmet(),
    rateLimit({
      ...common,
      windowMs: 60_000,
      limit: (req) => (req.header('authorization') ? limits.perKeyPerMinute : limits.perAddressPerMinute),
      skip: (req) => req.path === '/healthz' || req.path.startsWith('/twilio/'),
      handler: (req, res, next) => refuse(req.header('authorization') ? 'too many requests for this API key' : 'too many requests from this address')(req, res, next),
    }),
    rateLimit({
      ...common,
      windowMs: 3600_000,
      limit: limits.signupsPerHour,
      skip: (req) => !(req.method === 'POST' && req.path === '/signup/partners'),
      handler: refuse(`too many partner sign-ups from this address: at most ${limits.signupsPerHour} an hour`),
    }),
  ];
}
