import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, parseKeyring } from '../../infra/payload-codec';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';
import { testEnv } from '../helpers/env';

const taskQueue = `sealing-${randomUUID()}`;
let api: TestApi;
let worker: RunningWorker;
let receiver: Receiver;

beforeAll(async () => {
  api = await startApi({ taskQueue });
  worker = await startWorker(api.sql, { taskQueue });
  receiver = await startReceiver('accept');
});
afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await api.close();
});

/** Every byte string in a raw (undecoded) history, as text to search. */
const rawBytes = (value: unknown, out: string[] = []): string[] => {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('latin1'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) rawBytes(v, out);
  return out;
};

describe('Temporal payloads are encrypted', () => {
  it('a lead goes through routing, its history holds no plain input, and the partner still receives it in clear', async () => {
    const d = await configureDistribution(api, { partners: [{ name: 'accepting', webhookUrl: receiver.url, priority: 10 }] });
    const marker = `Zebediah-${randomUUID()}`;
    const res = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: marker, postcode: 'SW1A 1AA' } } });
    expect(res.status).toBe(202);
    const result = await api.temporal.workflow.getHandle(`lead-${res.body.id}`).result();
    expect(result.status).toBe('delivered');
    expect(receiver.received.some((r) => r.body.includes(marker))).toBe(true);

    // A client without the codec sees only what the server stores.
    const connection = await Connection.connect({ address: testEnv().TEMPORAL_ADDRESS });
    try {
      const plainClient = new Client({ connection, namespace: testEnv().TEMPORAL_NAMESPACE });
      const history = await plainClient.workflow.getHandle(`lead-${res.body.id}`).fetchHistory();
      const text = rawBytes(history).join('\n');
      expect(text).not.toContain(marker);
      expect(text).toContain('binary/encrypted');
    } finally {
      await connection.close();
    }
  });
});

describe('the keyring', () => {
  const key = () => randomBytes(32).toString('base64');
  const payload = defaultPayloadConverter.toPayload({ phone: '+447700900123' })!;

  it('after a rotation, encrypts with the new key and still decrypts what the old key sealed', async () => {
    const oldKey = key();
    const before = new EncryptionCodec(parseKeyring(`k1:${oldKey}`));
    const rotated = new EncryptionCodec(parseKeyring(`k2:${key()},k1:${oldKey}`));
    const [sealedBefore] = await before.encode([payload]);
    expect(Buffer.from(sealedBefore!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(sealedBefore!.data!).toString('latin1')).not.toContain('+447700900123');
    const [sealedAfter] = await rotated.encode([payload]);
    expect(Buffer.from(sealedAfter!.metadata!['encryption-key-id']!).toString()).toBe('k2');
    for (const sealed of [sealedBefore!, sealedAfter!]) {
      const [opened] = await rotated.decode([sealed]);
      expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ phone: '+447700900123' });
    }
  });

  it('refuses a payload sealed under a key it does not hold, or tampered with', async () => {
    const [sealed] = await new EncryptionCodec(parseKeyring(`k1:${key()}`)).encode([payload]);
    await expect(new EncryptionCodec(parseKeyring(`k9:${key()}`)).decode([sealed!])).rejects.toThrow(/unknown key "k1"/);
    const [other] = await new EncryptionCodec(parseKeyring(`k1:${key()}`)).encode([payload]);
    await expect(new EncryptionCodec(parseKeyring(`k1:${key()}`)).decode([other!])).rejects.toThrow();
  });

  it('rejects a malformed key naming the variable', () => {
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/LEADRELAY_PAYLOAD_KEYS: key "k1" must be id:base64 of 32 bytes/);
  });
});
