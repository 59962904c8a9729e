import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1');

const DEVELOPMENT_SECRETS = { LINK_SIGNING_SECRET: 'development-only-link-secret', TWILIO_AUTH_TOKEN: 'leadrelay-dev-twilio-auth-token' } as const;

/** Every setting leadrelay reads from the environment, with the embedded-stack defaults. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_PORT: port.default(3000),
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  DATABASE_URL: z.url().refine((u) => /^postgres(ql)?:/.test(u), 'must be a postgres:// URL'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('leadrelay'),
  S3_ENDPOINT: z.url().default('http://localhost:9000'),
  S3_ACCESS_KEY: z.string().min(3).default('leadrelay'),
  S3_SECRET_KEY: z.string().min(8).default('leadrelay-secret'),
  S3_BUCKET: z.string().min(3).default('leadrelay'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  SMTP_URL: z.url().refine((u) => /^smtps?:/.test(u), 'must be an smtp:// or smtps:// URL').default('smtp://localhost:1025'),
  MAIL_FROM: z.string().min(3).default('leadrelay <no-reply@leadrelay.local>'),
  /** Development only: lets webhooks reach private, loopback and link-local addresses. */
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: flag.default(false),
  /** Signs the accept/decline links in lead emails. */
  LINK_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEVELOPMENT_SECRETS.LINK_SIGNING_SECRET),
  /** Twilio: inbound SMS webhooks are verified with the auth token; alerts are sent from TWILIO_FROM_NUMBER. */
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').default('AC00000000000000000000000000000000'),
  TWILIO_AUTH_TOKEN: z.string().min(16).default(DEVELOPMENT_SECRETS.TWILIO_AUTH_TOKEN),
  TWILIO_FROM_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number, e.g. +447700900000').default('+447700900000'),
  /** Hotkey transfer: Twilio's REST API is called here instead of https://api.twilio.com (the local Voice simulator). */
  TWILIO_API_BASE_URL: z.url().optional(),
  /** The worker's Prometheus scrape target (leadrelay's and the Temporal SDK's metrics), at /metrics. */
  WORKER_METRICS_PORT: port.default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Each API process's limits: per key, per address without one, and partner sign-ups per address. */
  RATE_LIMIT_PER_KEY_PER_MINUTE: z.coerce.number().int().min(1).default(12_000),
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  SIGNUP_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** The Temporal Web UI's origin, allowed to call the API's codec server (/codec). */
  TEMPORAL_UI_ORIGIN: z.url().default('http://localhost:8233'),
  /** The operators' nominated address: told when a partner adds its FCA number. Unset: nobody is told. */
  OPERATOR_EMAIL: z.email().optional(),
  /** An operator API key to register on start; without it the first start creates one and prints it once. */
  LEADRELAY_OPERATOR_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Invoicing: months are cut on this clock, and the monthly run starts on day 1 there. */
  BILLING_TIMEZONE: z.string().refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', 'must be an IANA timezone, e.g. Europe/London').default('Europe/London'),
  /** The supplier printed on every invoice: leadrelay's operator, its address and VAT number. */
  SUPPLIER_LEGAL_NAME: z.string().min(1).default('leadrelay Ltd'),
  /** line 1|city|postal code */
  SUPPLIER_ADDRESS: z.string().regex(/^[^|]+\|[^|]+\|[^|]+$/, 'must be line 1|city|postal code').default('1 Example Street|London|EC1A 1AA'),
  SUPPLIER_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. GB').default('GB'),
  SUPPLIER_VAT_ID: z.string().min(4).default('GB123456789'),
  /** The home VAT rate, in percent. */
  VAT_STANDARD_RATE_PERCENT: z.coerce.number().min(0).max(100).default(20),
}).superRefine((env, ctx) => {
  // Anyone could forge accept links or inbound SMS with a published default.
  if (env.NODE_ENV !== 'production') return;
  for (const name of ['LINK_SIGNING_SECRET', 'TWILIO_AUTH_TOKEN'] as const) {
    if (env[name] === DEVELOPMENT_SECRETS[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'must be set to a secret of your own in production (the development default is public)' });
  }
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/** Parses the environment; a missing or bad value fails with a message naming each variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}`);
}

/** What invoices are issued with, from the environment. */
export function billingSettings(env: Pick<Env, 'BILLING_TIMEZONE' | 'SUPPLIER_LEGAL_NAME' | 'SUPPLIER_ADDRESS' | 'SUPPLIER_COUNTRY' | 'SUPPLIER_VAT_ID' | 'VAT_STANDARD_RATE_PERCENT'>) {
  const [line1, city, postalCode] = env.SUPPLIER_ADDRESS.split('|') as [string, string, string];
  return {
    supplier: { legalName: env.SUPPLIER_LEGAL_NAME, address: { line1, city, postalCode, country: env.SUPPLIER_COUNTRY }, vatId: env.SUPPLIER_VAT_ID },
    standardRateBasisPoints: Math.round(env.VAT_STANDARD_RATE_PERCENT * 100),
    timezone: env.BILLING_TIMEZONE,
  };
}
