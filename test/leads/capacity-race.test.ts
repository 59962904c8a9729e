import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';

describe('leads racing for the last of a partner’s capacity', () => {
  const taskQueue = `race-${randomUUID()}`;
  let api: TestApi;
  let worker: RunningWorker;
  let hot: Receiver;
  let fallback: Receiver;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });
    [hot, fallback] = await Promise.all([startReceiver('accept'), startReceiver('accept')]);
  });
  afterAll(async () => {
    await worker.stop();
    await Promise.all([hot.close(), fallback.close()]);
    await api.close();
  });

  it('300 leads against a daily cap of 50 and credit for 40: exactly 40 reach the partner, the rest go elsewhere, with the reason recorded', async () => {
    // Receivers in this busy test process may answer slowly: the race is about capacity, not timeouts.
    const patient = { timeoutMs: 15_000, maxAttempts: 3 };
    const d = await configureDistribution(api, {
      partners: [
        { name: 'hot', webhookUrl: hot.url, priority: 10, priceMinor: 1000, caps: { day: 50 }, creditLimitMinor: 40_000, ...patient },
        { name: 'fallback', webhookUrl: fallback.url, priority: 1, priceMinor: 500, ...patient },
      ],
    });
    const ids: string[] = [];
    const queue = Array.from({ length: Number(process.env.RACE_LEADS ?? 300) }, (_, i) => i);
    await Promise.all(Array.from({ length: 30 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const res = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: `lead ${i}`, postcode: 'N1' } } });
        expect(res.status).toBe(202);
        ids.push(res.body.id);
      }
    }));
    const results = await Promise.all(ids.map((id) => api.temporal.workflow.getHandle(`lead-${id}`).result()));

    expect(results.filter((r) => r.status !== 'delivered')).toEqual([]);
    const toHot = results.filter((r) => r.deliveries.some((x: { partnerId: string; status: string }) => x.partnerId === d.partners.hot!.id && x.status === 'accepted'));
    expect(toHot).toHaveLength(40);
    expect(hot.uniqueIds()).toHaveLength(40);
    expect(fallback.uniqueIds()).toHaveLength(260);
    const denials = results.flatMap((r) => r.deliveries.filter((x: { status: string }) => x.status === 'denied'));
    expect(denials).toHaveLength(260);
    expect(denials.filter((x: { reason: string }) => !x.reason.startsWith('credit_exhausted: '))).toEqual([]);

    const [charged] = await api.sql`select count(*)::int as n, sum(price_minor)::int as total from deliveries where partner_id = ${d.partners.hot!.id} and status = 'accepted'`;
    expect(charged).toEqual({ n: 40, total: 40_000 });
  }, 180_000);
});
