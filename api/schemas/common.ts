import { z } from 'zod';

export const uuid = (what: string) => z.uuid({ error: `must be a ${what} id (UUID)` });
export const idParams = (what: string) => z.object({ id: uuid(what) });

export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const email = z.email({ error: 'must be a valid email address' }).max(254);

export const e164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number: + then country code and number, no spaces, e.g. +447700900123')
  .meta({ example: '+447700900123' });

const supportedZones = new Set(Intl.supportedValuesOf('timeZone'));

/** Canonical IANA names, plus aliases the runtime's tz database knows (UTC, Europe/Kiev); no raw offsets. */
export function isIanaTimeZone(name: string): boolean {
  if (supportedZones.has(name)) return true;
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timezone = z
  .string()
  .refine(isIanaTimeZone, 'must be an IANA timezone name, e.g. Europe/London')
  .meta({ description: 'IANA timezone name; caps and schedules follow its wall clock', example: 'Europe/London' });

const currencies = new Set(Intl.supportedValuesOf('currency'));
export const currency = z
  .string()
  .refine((c) => currencies.has(c), 'must be an ISO 4217 currency code in capitals, e.g. GBP')
  .meta({ example: 'GBP' });

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export const country = z
  .string()
  .refine((c) => /^[A-Z]{2}$/.test(c) && regionNames.of(c) !== c, 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. GB')
  .meta({ example: 'GB' });

export const minor = (what: string) =>
  z.number({ error: `${what} must be a whole number of minor units (e.g. pence)` }).int(`${what} must be a whole number of minor units (e.g. pence)`).min(0, `${what} must not be negative`);

const cap = z.number().int('must be a whole number').min(0, 'must not be negative (0 pauses, null is unlimited)').nullable();

export const capsSchema = z
  .strictObject({ day: cap.default(null), week: cap.default(null), month: cap.default(null), lifetime: cap.default(null) })
  .meta({ id: 'Caps', description: 'Leads per window; null is unlimited, 0 pauses. Day, week (from Monday) and month reset at midnight in the partner timezone.' });

export const noCaps = { day: null, week: null, month: null, lifetime: null };

/** An ISO 8601 date or date-time in a query string; a bare number is refused rather than read as some instant. */
export const isoInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date or date-time, e.g. 2026-11-23 or 2026-11-23T09:00:00Z')
  .transform((v, ctx) => {
    const at = new Date(v);
    if (Number.isNaN(at.getTime())) ctx.addIssue({ code: 'custom', message: 'is not a real date' });
    return at;
  });
