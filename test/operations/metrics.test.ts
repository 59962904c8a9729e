import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { spawnWorkerProcess } from '../helpers/worker-process';

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
    const worker = await spawnWorkerProcess(taskQueue);
    try {
      const text = await (await fetch(worker.metricsUrl)).text();
      expect(text).toContain('leadrelay_leads_final_total');
      expect(text).toContain('process="worker"');
      expect(text).toMatch(/^temporal_\w+/m);
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
