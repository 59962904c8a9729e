import type { Server } from 'node:http';
import { fieldSealerFromEnv } from '../../infra/field-sealing';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { RateLimits } from '../../api/protection';
import { createApiKey } from '../../api/auth';
import { createSql, type Sql } from '../../db/client';
import { createObjectStore, ensureBucket } from '../../infra/object-store';
import { createLogger } from '../../infra/logger';
import { testEnv } from './env';
import { connectTestClient } from './temporal-client';
import { createNotifier } from '../../infra/notifier';

/** The operators' nominated address in tests (set by the global setup); mail to it lands in the mail catcher. */
export const OPERATOR_EMAIL = 'operators@leadrelay.test';

export interface ApiResponse<T = any> { status: number; body: T; headers: Headers }

export interface TestApi {
  url: string;
  sql: Sql;
  temporal: Client;
  /** An operator key, created for this harness. */
  operatorKey: string;
  request<T = any>(method: string, path: string, options?: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** The real Express app on an ephemeral port, wired to the shared PostgreSQL, Temporal and MinIO. */
export async function startApi(options: { taskQueue: string; databaseUrl?: string; rateLimits?: RateLimits }): Promise<TestApi> {
  const env = testEnv();
  const sql = createSql(options.databaseUrl ?? env.DATABASE_URL);
  const client = await connectTestClient();
  const { temporal } = client;
  const objectStore = createObjectStore(env);
  await ensureBucket(objectStore, env.S3_REGION);
  const app = createApp({ sql, temporal, taskQueue: options.taskQueue, objectStore, logger: createLogger('api', 'silent'), publicUrl: env.PUBLIC_URL, linkSecret: env.LINK_SIGNING_SECRET, twilioAuthToken: env.TWILIO_AUTH_TOKEN, sealer: fieldSealerFromEnv(),
    notifier: createNotifier(env), operatorEmail: OPERATOR_EMAIL, rateLimits: options.rateLimits, checkResponses: true });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { key: operatorKey } = await createApiKey(sql, { name: 'test operator', role: 'operator', partnerId: null });

  return {
    url,
    sql,
    temporal,
    operatorKey,
    async request(method, path, { body, rawBody, key = operatorKey, headers = {} } = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await client.close();
      await sql.end({ timeout: 5 });
    },
  };
}
