import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import type { Notifier } from '../../infra/notifier';
import type { TwilioHttpClient } from '../../infra/twilio';
import { createWorker, type LeadrelayWorker } from '../../worker/create-worker';
import type { Sql } from '../../db/client';
import { testEnv } from './env';
import { connectTestClient } from './temporal-client';

let runtimeInstalled = false;

export interface RunningWorker { taskQueue: string; worker: LeadrelayWorker; stop(): Promise<void> }

/**
 * Runs a worker on its own task queue inside the test process, against the shared Temporal server and
 * the prebuilt workflow bundle. Webhooks may reach the tests' local receivers unless told otherwise.
 */
export async function startWorker(sql: Sql, options: { taskQueue?: string; allowPrivateAddresses?: boolean; notifier?: Notifier; twilioHttpClient?: TwilioHttpClient } = {}): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = testEnv();
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = await connectTestClient();
  const { temporal } = client;
  const worker = await createWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    deps: { sql, env: { ...env, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: options.allowPrivateAddresses ?? true }, temporal, notifier: options.notifier, twilioHttpClient: options.twilioHttpClient },
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
      await client.close();
    },
  };
}
