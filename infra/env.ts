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
  /** The Temporal Web UI's origin, allowed to call the API's codec server (/codec). */
  TEMPORAL_UI_ORIGIN: z.url().default('http://localhost:8233'),
  /** The operators' nominated address: told when a partner adds its FCA number. Unset: nobody is told. */
  OPERATOR_EMAIL: z.email().optional(),
  /** An operator API key to register on start; without it the first start creates one and prints it once. */
  LEADRELAY_OPERATOR_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
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
