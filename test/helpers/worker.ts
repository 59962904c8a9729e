import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { createWorker } from '../../worker/create-worker';
import type { Sql } from '../../db/client';
import { testEnv } from './env';

let runtimeInstalled = false;

export interface RunningWorker { taskQueue: string; worker: Worker; stop(): Promise<void> }

/** Runs a worker on its own task queue inside the test process, against the shared Temporal server and the prebuilt workflow bundle. */
export async function startWorker(sql: Sql, options: { taskQueue?: string } = {}): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = testEnv();
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    deps: { sql },
    workflowBundle: { codePath: process.env.LEADRELAY_WORKFLOW_BUNDLE! },
  });
  const running = worker.run();
  return {
    taskQueue,
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
