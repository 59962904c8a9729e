import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadEnv } from '../infra/env';
import { createLogger } from '../infra/logger';
import { assertReachable, createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { createWorker } from './create-worker';
import { connectTemporalClient } from '../infra/temporal-client';
import { runMain } from '../infra/run-main';
import { createMetrics } from '../infra/metrics';
import { freeLoopbackPort, serveWorkerMetrics } from './metrics-server';
import { ensureInvoicingSchedule } from '../infra/invoicing-schedule';

runMain('worker', async (log) => {
  const env = loadEnv();
  const sql = createSql(env.DATABASE_URL);
  await assertReachable(sql, env.DATABASE_URL);
  await migrate(sql);
  const sdkMetricsPort = await freeLoopbackPort();
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}`, useSecondsForDurations: true } } } });
  const metrics = createMetrics('worker');
  const metricsServer = await serveWorkerMetrics({
    port: env.WORKER_METRICS_PORT, host: env.WORKER_METRICS_HOST, metrics, sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
  });
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  // The capacity activities send updates to partner workflows through an ordinary client.
  const temporal = await connectTemporalClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  await ensureInvoicingSchedule(temporal, { taskQueue: env.TEMPORAL_TASK_QUEUE, timezone: env.BILLING_TIMEZONE });
  const worker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps: { sql, env, temporal, metrics } });
  log.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS, metrics: metricsServer.url }, 'worker started');
  // The SDK drains in-flight tasks on SIGINT/SIGTERM and then run() resolves.
  await worker.run();
  await metricsServer.close();
  await connection.close();
  await temporal.connection.close();
  await sql.end({ timeout: 5 });
  log.info('worker stopped');
});
