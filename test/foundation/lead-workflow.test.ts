import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker } from '../helpers/worker';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { eventually } from '../helpers/wait';

describe('a lead runs as its own workflow', () => {
  const taskQueue = `foundation-${randomUUID()}`;
  let api: TestApi;
  let leadType: string;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    leadType = `mortgage-${randomUUID().slice(0, 8)}`;
    const created = await api.request('POST', '/lead-types', {
      body: { name: leadType, fields: [{ name: 'name', type: 'string', required: false }], referralMethod: 'immediate', defaultPriceMinor: 500 },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => api.close());

  const finalState = (id: string) =>
    eventually(async () => {
      const res = await api.request('GET', `/leads/${id}`);
      return res.body.status === 'routing' || res.body.status === 'received' ? undefined : res.body;
    });

  it('POST /leads stores the lead, starts lead-<id>, and GET /leads/:id shows its state', async () => {
    const worker = await startWorker(api.sql, { taskQueue });
    try {
      const created = await api.request('POST', '/leads', { body: { leadType, fields: { name: 'Ada' } } });
      expect(created.status).toBe(202);
      expect(created.body.workflowId).toBe(`lead-${created.body.id}`);

      const lead = await finalState(created.body.id);
      expect(lead).toMatchObject({ id: created.body.id, leadType, fields: { name: 'Ada' }, status: 'no_eligible_partner' });
      const handle = api.temporal.workflow.getHandle(`lead-${created.body.id}`);
      // The query shows the final state a moment before the workflow records it and completes.
      await handle.result();
      const description = await handle.describe();
      expect(description.type).toBe('leadWorkflowV4');
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await worker.stop();
    }
  });

  it('returns the same lead for a retried submission with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const first = await api.request('POST', '/leads', { body: { leadType }, headers: { 'idempotency-key': key } });
    const second = await api.request('POST', '/leads', { body: { leadType }, headers: { 'idempotency-key': key } });
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    const [row] = await api.sql`select count(*)::int as n from leads where idempotency_key = ${key}`;
    expect(row!.n).toBe(1);
  });

  it('does not lose a started lead when the worker is killed with SIGKILL and started again', async () => {
    const queue = `crash-${randomUUID()}`;
    const crashApi = await startApi({ taskQueue: queue });
    try {
      const first = await spawnWorkerProcess(queue);
      const created = await crashApi.request('POST', '/leads', { body: { leadType } });
      expect(created.status).toBe(202);
      expect(await first.kill('SIGKILL')).toBeNull();

      const second = await spawnWorkerProcess(queue);
      try {
        const result = await crashApi.temporal.workflow.getHandle(`lead-${created.body.id}`).result();
        expect(result.status).toBe('no_eligible_partner');
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await crashApi.close();
    }
  });

  it('the worker drains and exits 0 on SIGTERM', async () => {
    const worker = await spawnWorkerProcess(`drain-${randomUUID()}`);
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });
});
