import { randomUUID } from 'node:crypto';
import { isPublicAddress } from '../../activities/delivery/private-address-guard';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';

describe('webhooks to private addresses', () => {
  const taskQueue = `ssrf-${randomUUID()}`;
  let api: TestApi;
  let worker: RunningWorker;
  let receiver: Receiver;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue, allowPrivateAddresses: false });
    receiver = await startReceiver('accept');
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it('are refused when the development setting is off, judged on the address the name resolved to', async () => {
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    const d = await configureDistribution(api, { partners: [{ name: 'internal', webhookUrl: url, priority: 1, maxAttempts: 1 }] });
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    const result = await api.temporal.workflow.getHandle(`lead-${created.body.id}`).result();
    expect(result.status).toBe('declined_everywhere');
    expect(result.deliveries[0].reason).toMatch(/refused to deliver to localhost: it resolved to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
    expect(receiver.received).toHaveLength(0);
  });

  it.each([
    ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], ['127.0.0.1', false], ['169.254.169.254', false],
    ['::1', false], ['fe80::1', false], ['fc00::1', false], ['::ffff:10.0.0.1', false], ['0.0.0.0', false],
    ['8.8.8.8', true], ['2606:4700:4700::1111', true],
  ])('classifies %s as public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
