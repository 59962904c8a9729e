import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { startReceiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';

describe('Prometheus metrics', () => {
  const taskQueue = `metrics-${randomUUID()}`;
  let api: TestApi;
  beforeAll(async () => { api = await startApi({ taskQueue }); });
  afterAll(() => api.close());

  it("the API serves its request durations to operators only", async () => {
    await api.request('GET', '/lead-types');
    const scrape = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.operatorKey}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await scrape.text()).toMatch(/leadrelay_http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/lead-types"[^}]*status="200"/);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
  });

  it("the worker serves leadrelay's metrics and the Temporal SDK's on one scrape target", async () => {
    const worker = await spawnWorkerProcess(taskQueue, { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
    const receiver = await startReceiver('accept');
    try {
      const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1 }] });
      const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
      await api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result();
      const text = await (await fetch(worker.metricsUrl)).text();
      expect(text).toMatch(/^leadrelay_leads_final_total\{[^}]*status="delivered"[^}]*\} 1$/m);
      expect(text).toMatch(/^leadrelay_reservations_total\{[^}]*outcome="granted"[^}]*\} 1$/m);
      expect(text).toMatch(new RegExp(`^leadrelay_deliveries_total\\{[^}]*partner_id="${d.partners.buyer!.id}"[^}]*outcome="accepted"[^}]*\\} 1$`, 'm'));
      expect(text).toMatch(/^leadrelay_webhook_response_seconds_count\{[^}]*ok="true"[^}]*\} 1$/m);
      expect(text).toMatch(/^leadrelay_intake_to_delivery_seconds_count\{[^}]*\} 1$/m);
      expect(text).toMatch(/^temporal_\w+/m);
    } finally {
      await receiver.close();
      await worker.kill('SIGTERM');
    }
  });
});
