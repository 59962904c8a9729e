import express, { type ErrorRequestHandler, type Request, type Response, type NextFunction } from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Client } from '@temporalio/client';
import type { FieldSealer } from '../infra/field-sealing';
import type { Sql } from '../db/client';
import type { ObjectStore } from '../infra/object-store';
import type { Logger } from '../infra/logger';
import type { Notifier } from '../infra/notifier';
import { authorize } from './auth';
import { appointmentRoutes } from './routes/appointments';
import { DEFAULT_RATE_LIMITS, protection, type RateLimits } from './protection';
import { HttpError, validationError } from './http-error';
import { invalid } from './validation';
import { codecServer } from './codec-server';
import { pages } from './pages';
import { buildOpenApiDocument } from './openapi';
import type { AnyRoute } from './route';
import { healthRoutes } from './routes/health';
import { leadRoutes } from './routes/leads';
import { leadResponseRoutes } from './routes/lead-responses';
import { apiKeyRoutes } from './routes/api-keys';
import { assignmentRoutes } from './routes/assignments';
import { dryRunRoutes } from './routes/dry-run';
import { leadTypeRoutes } from './routes/lead-types';
import { partnerRoutes } from './routes/partners';
import { portalRoutes } from './routes/portal';
import { profileRoutes } from './routes/profiles';
import { signupRoutes } from './routes/signup';
import { capacityRoutes } from './routes/capacity';
import { twilioSmsRoutes } from './routes/twilio-sms';
import { transferRoutes } from './routes/transfers';
import { metricsRoutes } from './routes/metrics';
import { introductionRoutes } from './routes/introductions';
import { selfServiceRoutes } from './routes/self-service';
import { testLeadRoutes } from './routes/test-leads';
import { invoiceRoutes } from './routes/invoices';
import { returnRoutes } from './routes/returns';
import { reportRoutes } from './routes/reports';
import { leadCountRoutes } from './routes/lead-counts';
import { portalSignInRoutes } from './routes/portal-sign-in';
import { createMetrics } from '../infra/metrics';

export interface AppDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  objectStore: ObjectStore;
  logger: Logger;
  publicUrl: string;
  /** Signs and checks the accept/decline links in lead emails. */
  linkSecret: string;
  /** Verifies inbound Twilio webhooks (X-Twilio-Signature). */
  twilioAuthToken: string;
  /** Emails operators about partners' self-service changes; without it (or an address) nobody is told. */
  notifier?: Pick<Notifier, 'email'>;
  operatorEmail?: string;
  /** The Temporal Web UI's origin, allowed to call the codec server (CORS). */
  temporalUiOrigin?: string;
  /** Development: the local Web UI may decode without an operator key. */
  development?: boolean;
  /** Seals the lead fields a lead type flags `encrypted`, and opens them for those allowed to see them. */
  sealer: FieldSealer;
  /** Per key, per address and sign-up limits; DEFAULT_RATE_LIMITS when absent. */
  rateLimits?: RateLimits;
  /** Tests: every answer must fit the schema /openapi.json documents for its status, or the call fails loudly. */
  checkResponses?: boolean;
  /** Invoicing months are cut on this clock (Europe/London when unset). */
  billingTimezone?: string;
}

function assertDocumented(route: AnyRoute, status: number, body: unknown) {
  const spec = route.responses[status];
  const name = `${route.method.toUpperCase()} ${route.path}`;
  const broken = (why: string) => new HttpError(500, 'undocumented_response', `${name} answered ${status} ${why}`);
  if (!spec) throw broken('which its documentation does not list');
  if (!spec.schema) {
    if (body !== undefined) throw broken('with a body its documentation does not describe');
    return;
  }
  const checked = spec.schema.safeParse(body);
  if (!checked.success) throw broken(`with a body its documented schema refuses: ${checked.error.message}`);
}

export function createApp(deps: AppDeps) {
  const metrics = createMetrics('api');
  const routes: AnyRoute[] = [
    ...healthRoutes(deps),
    ...leadRoutes(deps),
    ...leadResponseRoutes(deps),
    ...leadTypeRoutes(deps),
    ...partnerRoutes(deps),
    ...profileRoutes(deps),
    ...assignmentRoutes(deps),
    ...dryRunRoutes(deps),
    ...signupRoutes(deps),
    ...portalRoutes(deps),
    ...apiKeyRoutes(deps),
    ...capacityRoutes(deps),
    ...twilioSmsRoutes(deps),
    ...transferRoutes(deps),
    ...metricsRoutes(deps, metrics),
    ...introductionRoutes(deps),
    ...selfServiceRoutes(deps),
    ...testLeadRoutes(deps),
    ...invoiceRoutes(deps),
    ...returnRoutes(deps),
    ...reportRoutes(deps),
    ...leadCountRoutes(deps),
    ...portalSignInRoutes(deps),
    ...appointmentRoutes(deps),
  ];
  const app = express();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(protection(deps.rateLimits ?? DEFAULT_RATE_LIMITS));
  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.once('finish', () => end({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  // Decoded histories are personal data: the request log records only method, path and status.
  app.use('/codec', codecServer({ sql: deps.sql, codecs: deps.temporal.options.loadedDataConverter.payloadCodecs, uiOrigin: deps.temporalUiOrigin ?? 'http://localhost:8233', development: deps.development ?? false }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use('/app', pages({ temporalUiOrigin: deps.temporalUiOrigin ?? 'http://localhost:8233', namespace: deps.temporal.options.namespace }));

  for (const route of routes) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      const principal = await authorize(deps.sql, req, route);
      rejectUnstorable(req);
      if (route.method === 'patch' && route.body && Object.keys(req.body ?? {}).length === 0) {
        throw invalid([{ field: 'body', reason: 'nothing to change: send the fields to update' }]);
      }
      const ctx = { req, res, principal, body: undefined as unknown, query: undefined as unknown, params: undefined as unknown };
      for (const part of ['body', 'query', 'params', 'headers'] as const) {
        const schema = route[part];
        if (!schema) continue;
        const parsed = schema.safeParse(part === 'body' ? (req.body ?? {}) : req[part]);
        if (!parsed.success) throw validationError(parsed.error, part);
        if (part !== 'headers') ctx[part] = parsed.data;
      }
      const result = await route.handler(ctx);
      if (res.headersSent) return;
      // A handler may pick its status (health: 503); otherwise the route's own.
      const status = res.statusCode !== 200 ? res.statusCode : (route.status ?? 200);
      if (deps.checkResponses) assertDocumented(route, status, result);
      res.status(status).json(result);
    });
  }

  const openApi = buildOpenApiDocument(routes, deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'leadrelay API' }));

  // A known path asked with a method it doesn't take: 405 with the ones it does.
  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method.toUpperCase()]);
  for (const [path, methods] of methodsByPath) {
    app.all(path, (req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Allow', methods.join(', '));
      next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}; use ${methods.join(' or ')}`));
    });
  }
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const known = toHttpError(err);
    if (!known) {
      logger.error({ err }, 'unhandled error');
      res.status(500).json({ error: 'internal', message: 'internal server error' });
      return;
    }
    res.status(known.status).json({ error: known.code, message: known.message, ...(known.problems ? { problems: known.problems } : {}) });
  };
}

/**
 * Text PostgreSQL can't store is refused up front, naming the field: a NUL character anywhere in the
 * body, query or path, at any depth.
 */
function rejectUnstorable(req: Request): void {
  const problems: { field: string; reason: string }[] = [];
  const visit = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field: path.join('.'), reason: 'must not contain NUL (\\u0000) characters' });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) problems.push({ field: [...path, k].join('.'), reason: 'names must not contain NUL (\\u0000) characters' });
        visit(v, [...path, k]);
      }
    }
  };
  visit(req.body, ['body']);
  visit(req.query, ['query']);
  visit(req.params, ['params']);
  if (problems.length > 0) throw invalid(problems);
}

// PostgreSQL SQLSTATE classes the client caused: 22 (data exceptions: a number out of range, a bad
// date) and 23 (integrity: a missing reference, a duplicate, a failed check).
const DATA_ERRORS: Record<string, number> = { '23505': 409, '23503': 409, '23001': 409 };

/** Maps our own errors, body-parser's client errors and PostgreSQL's data errors to a JSON answer. */
function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const pg = err as { code?: string; severity?: string; column_name?: string; constraint_name?: string; message?: string };
  if (pg.severity && typeof pg.code === 'string' && /^2[23]/.test(pg.code)) {
    const field = pg.column_name ?? pg.constraint_name;
    return new HttpError(DATA_ERRORS[pg.code] ?? 400, 'invalid_data', `${field ? `${field}: ` : ''}${pg.message}`, field ? [{ field, reason: pg.message ?? 'refused by the database' }] : undefined);
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', `request body is not valid JSON: ${e.message}`);
  if (e.type === 'entity.too.large') return new HttpError(413, 'body_too_large', 'request body is larger than 1 MB');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new HttpError(415, 'unsupported_encoding', e.message ?? 'unsupported encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', e.message ?? 'bad request');
  return undefined;
}
