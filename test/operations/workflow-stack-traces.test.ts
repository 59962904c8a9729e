import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { connectTestClient, type TestClient } from '../helpers/temporal-client';
import { createSql, type Sql } from '../../db/client';
import { testEnv } from '../helpers/env';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { addPartner, startPartnerWorkflow } from '../capacity/fixtures';

// Recording a stack for every promise a workflow makes costs a lead about a quarter of its worker CPU, for the
// Web UI's "Stack Trace" tab alone, so workers leave it off (patches/@temporalio+worker+*.patch). An operator
// chasing a stuck workflow starts a worker with LEADRELAY_WORKFLOW_STACK_TRACES=on.
describe("a running workflow's stack trace (Temporal's Web UI, Stack Trace tab)", () => {
  let sql: Sql;
  let connection: TestClient;
  let client: Client;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    sql = createSql(testEnv().DATABASE_URL);
    connection = await connectTestClient();
    client = connection.temporal;
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await connection.close();
    await sql.end();
  });

  /** A partner workflow, which waits for its next reservation, on a worker process started with `env`. */
  async function waitingWorkflow(env: Record<string, string>) {
    const taskQueue = `stack-traces-${randomUUID()}`;
    workers.push(await spawnWorkerProcess(taskQueue, env));
    const handle = await startPartnerWorkflow(client, taskQueue, (await addPartner(sql)).id);
    await handle.query('capacity');
    return handle;
  }

  it('is not recorded by default: the query is refused', async () => {
    const handle = await waitingWorkflow({});
    await expect(handle.query('__stack_trace')).rejects.toThrow();
    await handle.terminate('test over');
  });

  it('shows where the workflow waits, in our source, on a worker started with LEADRELAY_WORKFLOW_STACK_TRACES=on', async () => {
    const handle = await waitingWorkflow({ LEADRELAY_WORKFLOW_STACK_TRACES: 'on' });
    expect(await handle.query<string>('__stack_trace')).toMatch(/workflows\/partner\.ts:\d+/);
    await handle.terminate('test over');
  });
});
