import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { encryptedDataConverter } from '../../infra/payload-codec';
import { createActivities, type LeadActivities } from '../../activities';
import { createWorker, type LeadrelayWorker } from '../../worker/create-worker';
import { createSql, type Sql } from '../../db/client';
import type { Notifier } from '../../infra/notifier';
import { fakeTwilio, testNotifier } from '../capacity/fixtures';
import { testEnv } from './env';

/** The SDK gives the server 5 s to answer, which a JVM starting on a busy 2-core machine can miss. */
const ATTEMPTS = 3;

/** Temporal's Java time-skipping test server, for tests whose workflows wait on long timers. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.LEADRELAY_TEST_SERVER;
  if (!path) throw new Error('LEADRELAY_TEST_SERVER is not set: run the tests with `npm test`');
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client: { dataConverter: encryptedDataConverter() } });
    } catch (err) {
      if (attempt >= ATTEMPTS || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}

export interface TimeSkippingWorker {
  env: TestWorkflowEnvironment;
  sql: Sql;
  taskQueue: string;
  /** The real activities, on this server's client, the real PostgreSQL and a faked Twilio. */
  activities(): LeadActivities;
  /** Moves the server's clock forward to `instant` (ms or ISO); never back. */
  skipTo(instant: number | string): Promise<void>;
}

/**
 * For a suite: a time-skipping server, real PostgreSQL and a worker with the real workflows and
 * activities on a task queue of its own, started before its tests and stopped after.
 */
export function useTimeSkippingWorker(name: string, notifier: Notifier = testNotifier(fakeTwilio())): TimeSkippingWorker {
  const stack = { taskQueue: `${name}-${randomUUID()}` } as TimeSkippingWorker;
  let worker: LeadrelayWorker | undefined;
  let running: Promise<void> | undefined;
  stack.activities = () => createActivities({ sql: stack.sql, env: testEnv(), temporal: stack.env.client, notifier });
  stack.skipTo = async (instant) => {
    const at = typeof instant === 'string' ? Date.parse(instant) : instant;
    const now = await stack.env.currentTimeMs();
    if (at > now) await stack.env.sleep(at - now);
  };
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    stack.env = await createTimeSkippingEnv();
    stack.sql = createSql(testEnv().DATABASE_URL);
    worker = await createWorker({
      connection: stack.env.nativeConnection, namespace: stack.env.namespace ?? 'default', taskQueue: stack.taskQueue,
      deps: { sql: stack.sql, env: testEnv(), temporal: stack.env.client, notifier }, workflowBundle: { codePath: process.env.LEADRELAY_WORKFLOW_BUNDLE! },
    });
    running = worker.run();
  }, 120_000);
  afterAll(async () => {
    // Whatever setup got to start (a loaded machine may fail to start the test server in time).
    worker?.shutdown();
    await running;
    await stack.env?.teardown();
    await stack.sql?.end();
  });
  return stack;
}
