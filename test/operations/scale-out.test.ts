import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';

describe('two API processes and two workers on one task queue', () => {
  const taskQueue = `scale-out-${randomUUID()}`;
  let apis: TestApi[];
  let workers: WorkerProcess[];
  let hot: Receiver;
  let fallback: Receiver;
  beforeAll(async () => {
    apis = await Promise.all([startApi({ taskQueue }), startApi({ taskQueue })]);
    const env = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' };
    workers = await Promise.all([spawnWorkerProcess(taskQueue, env), spawnWorkerProcess(taskQueue, env)]);
    [hot, fallback] = await Promise.all([startReceiver('accept'), startReceiver('accept')]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await Promise.all([hot.close(), fallback.close()]);
    await Promise.all(apis.map((a) => a.close()));
  });

  it('share the leads, deliver none twice, and hold the cap', async () => {
    const [a, b] = apis as [TestApi, TestApi];
    const d = await configureDistribution(a, {
      partners: [
        { name: 'hot', webhookUrl: hot.url, priority: 10, caps: { day: 20 } },
        { name: 'fallback', webhookUrl: fallback.url, priority: 1 },
      ],
    });
    const ids = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const res = await (i % 2 ? b : a).request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: `lead ${i}`, postcode: 'N1' } } });
      expect(res.status).toBe(202);
      return res.body.id as string;
    }));
    const results = await Promise.all(ids.map((id) => a.temporal.workflow.getHandle(`lead-${id}`).result()));

    expect(results.filter((r) => r.status !== 'delivered')).toEqual([]);
    expect(hot.uniqueIds()).toHaveLength(20);
    expect(fallback.uniqueIds()).toHaveLength(40);
    expect(hot.received.length + fallback.received.length).toBe(60);

    // Each history names the worker that ran each task: both processes took a share.
    const identities = new Set<string>();
    for (const id of ids) {
      const history = await a.temporal.workflow.getHandle(`lead-${id}`).fetchHistory();
      for (const e of history.events ?? []) {
        const identity = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity.split('@')[0]!);
      }
    }
    expect([...identities].sort()).toEqual(workers.map((w) => String(w.proc.pid)).sort());
  }, 180_000);
});
