import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';

/** The key ids that encrypted a history's payloads, as the server stores them. */
const keyIdsIn = (value: unknown, out = new Set<string>()): Set<string> => {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const id = (value as { metadata?: Record<string, Uint8Array> }).metadata?.['encryption-key-id'];
  if (id) out.add(Buffer.from(id).toString());
  for (const v of Object.values(value)) keyIdsIn(v, out);
  return out;
};

describe('rotating the payload key under a running lead', () => {
  const taskQueue = `rotation-${randomUUID()}`;
  const before = process.env.LEADRELAY_PAYLOAD_KEYS;
  const k1 = `k1:${randomBytes(32).toString('base64')}`;
  let api: TestApi;
  let worker: RunningWorker;
  let receiver: Receiver;
  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.close();
    if (before === undefined) delete process.env.LEADRELAY_PAYLOAD_KEYS;
    else process.env.LEADRELAY_PAYLOAD_KEYS = before;
  });

  it('finishes the lead after a restart with a new current key, and its history holds payloads under both', async () => {
    process.env.LEADRELAY_PAYLOAD_KEYS = k1;
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });
    receiver = await startReceiver('ack');
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 600, partners: [{ name: 'holder', webhookUrl: receiver.url, priority: 1 }] });
    const lead = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${lead}`)).body.deliveries[0]?.status === 'awaiting_response' ? true : undefined));

    // Rotation: the new key goes first, the old one stays to read what it sealed.
    await worker.stop();
    await api.close();
    process.env.LEADRELAY_PAYLOAD_KEYS = `k2:${randomBytes(32).toString('base64')},${k1}`;
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });

    expect((await api.request('POST', `/portal/leads/${lead}/accept`, { key: d.partners.holder!.key })).status).toBe(200);
    expect((await api.temporal.workflow.getHandle(`lead-${lead}`).result()).status).toBe('delivered');
    const connection = await Connection.connect({ address: testEnv().TEMPORAL_ADDRESS });
    try {
      const history = await new Client({ connection, namespace: testEnv().TEMPORAL_NAMESPACE }).workflow.getHandle(`lead-${lead}`).fetchHistory();
      expect([...keyIdsIn(history)].sort()).toEqual(['k1', 'k2']);
    } finally {
      await connection.close();
    }
  });
});
