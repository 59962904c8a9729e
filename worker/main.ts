import { NativeConnection } from '@temporalio/worker';
import { loadEnv } from '../infra/env';
import { createLogger } from '../infra/logger';
import { assertReachable, createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { createWorker } from './create-worker';
import { connectTemporalClient } from '../infra/temporal-client';
import { runMain } from '../infra/run-main';

runMain('worker', async (log) => {
  const env = loadEnv();
  const sql = createSql(env.DATABASE_URL);
  await assertReachable(sql, env.DATABASE_URL);
  await migrate(sql);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  // The capacity activities send updates to partner workflows through an ordinary client.
  const temporal = await connectTemporalClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  const worker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps: { sql, env, temporal } });
  log.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS }, 'worker started');
  // The SDK drains in-flight tasks on SIGINT/SIGTERM and then run() resolves.
  await worker.run();
  await connection.close();
  await temporal.connection.close();
  await sql.end({ timeout: 5 });
  log.info('worker stopped');
});
