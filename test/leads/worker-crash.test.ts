import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { startReceiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

describe('a worker killed mid-delivery', () => {
  const taskQueue = `crash-delivery-${randomUUID()}`;
  let api: TestApi;
  beforeAll(async () => { api = await startApi({ taskQueue }); });
  afterAll(() => api.close());

  it('leaves exactly one delivery per partner at the receiver, and the lead completes', async () => {
    const receiver = await startReceiver('hang');
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1, timeoutMs: 1000, maxAttempts: 1 }] });
    const env = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' };
    const first = await spawnWorkerProcess(taskQueue, env);
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    await eventually(async () => (receiver.received.length > 0 ? true : undefined));
    expect(await first.kill('SIGKILL')).toBeNull();

    receiver.behaviour = 'accept';
    const second = await spawnWorkerProcess(taskQueue, env);
    try {
      const result = await api.temporal.workflow.getHandle(`lead-${created.body.id}`).result();
      expect(result.status).toBe('delivered');
      expect(receiver.received.length).toBeGreaterThanOrEqual(2);
      expect(receiver.uniqueIds()).toEqual([`lead_${created.body.id}_${d.partners.buyer!.id}`]);
      const rows = await api.sql`select status from deliveries where lead_id = ${created.body.id}`;
      expect(rows).toEqual([{ status: 'accepted' }]);
    } finally {
      await second.kill('SIGTERM');
      await receiver.close();
    }
  });

  it('keeps the lead with the partner it was offered to, though the configuration changed before another worker took over', async () => {
    const [first, fallback] = [await startReceiver('hang'), await startReceiver('accept')];
    const d = await configureDistribution(api, {
      partners: [{ name: 'first', webhookUrl: first.url, priority: 2, timeoutMs: 1000, maxAttempts: 1 }, { name: 'fallback', webhookUrl: fallback.url, priority: 1 }],
    });
    const env = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' };
    const dying = await spawnWorkerProcess(taskQueue, env);
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    await eventually(async () => (first.received.length > 0 ? true : undefined));
    expect(await dying.kill('SIGKILL')).toBeNull();
    // Judged afresh now, the lead would go to the fallback first: the first partner already has it.
    expect((await api.request('PATCH', `/assignments/${d.partners.first!.assignmentId}`, { body: { priority: 0 } })).status).toBe(200);

    first.behaviour = 'accept';
    const second = await spawnWorkerProcess(taskQueue, env);
    try {
      const result = await api.temporal.workflow.getHandle(`lead-${created.body.id}`).result();
      expect(result.deliveries.map((x: { partnerId: string; status: string }) => [x.partnerId, x.status])).toEqual([[d.partners.first!.id, 'accepted']]);
      expect(fallback.received).toEqual([]);
      expect((await api.request('GET', `/leads/${created.body.id}/eligibility`)).body.judgements).toHaveLength(1);
    } finally {
      await second.kill('SIGTERM');
      await Promise.all([first.close(), fallback.close()]);
    }
  });
});
