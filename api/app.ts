import express, { type ErrorRequestHandler, type Request, type Response, type NextFunction } from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import type { ObjectStore } from '../infra/object-store';
import type { Logger } from '../infra/logger';
import type { Notifier } from '../infra/notifier';
import { authorize } from './auth';
import { HttpError, validationError } from './http-error';
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
import { metricsRoutes } from './routes/metrics';
import { introductionRoutes } from './routes/introductions';
import { selfServiceRoutes } from './routes/self-service';
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
    ...metricsRoutes(deps, metrics),
    ...introductionRoutes(deps),
    ...selfServiceRoutes(deps),
  ];
  const app = express();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.once('finish', () => end({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));

  for (const route of routes) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      const principal = await authorize(deps.sql, req, route.auth);
      const ctx = { req, res, principal, body: undefined as unknown, query: undefined as unknown, params: undefined as unknown };
      for (const part of ['body', 'query', 'params', 'headers'] as const) {
        const schema = route[part];
        if (!schema) continue;
        const parsed = schema.safeParse(part === 'body' ? (req.body ?? {}) : req[part]);
        if (!parsed.success) throw validationError(parsed.error, part);
        if (part !== 'headers') ctx[part] = parsed.data;
      }
      const result = await route.handler(ctx);
      if (!res.headersSent) res.status(route.status ?? 200).json(result);
    });
  }

  const openApi = buildOpenApiDocument(routes, deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'leadrelay API' }));

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

/** Maps our own errors and body-parser's client errors to a JSON answer. */
function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', `request body is not valid JSON: ${e.message}`);
  if (e.type === 'entity.too.large') return new HttpError(413, 'body_too_large', 'request body is larger than 1 MB');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new HttpError(415, 'unsupported_encoding', e.message ?? 'unsupported encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', e.message ?? 'bad request');
  return undefined;
}
