import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, FailureConverter, Payload, PayloadCodec } from '@temporalio/common';
import { failureConverter } from './failure-converter';

const ENCODING = 'binary/encrypted';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A development key, used only when LEADRELAY_PAYLOAD_KEYS is unset outside production. */
export const DEV_PAYLOAD_KEYS = 'dev:ZGV2LW9ubHktcGF5bG9hZC1rZXktMzItYnl0ZXMhISE=';

export interface Keyring { currentId: string; keys: Map<string, Buffer> }

/** Parses `id:base64key,id:base64key`: the first key encrypts, every key decrypts (old keys stay for rotation). */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error(`LEADRELAY_PAYLOAD_KEYS: key "${id}" must be id:base64 of 32 bytes`);
    keys.set(id, key);
  }
  const currentId = keys.keys().next().value;
  if (!currentId) throw new Error('LEADRELAY_PAYLOAD_KEYS: at least one key is required');
  return { currentId, keys };
}

export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
  const spec = env.LEADRELAY_PAYLOAD_KEYS;
  if (!spec && env.NODE_ENV === 'production') throw new Error('LEADRELAY_PAYLOAD_KEYS must be set in production');
  if (spec === DEV_PAYLOAD_KEYS && env.NODE_ENV === 'production') throw new Error('LEADRELAY_PAYLOAD_KEYS must not be the development key in production');
  return parseKeyring(spec || DEV_PAYLOAD_KEYS);
}

/** AES-256-GCM over each whole payload; the key id travels in the metadata so old keys still decrypt. */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { currentId, keys } = this.keyring;
    const key = keys.get(currentId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = Buffer.from(JSON.stringify({ metadata: encodeMetadata(payload.metadata), data: Buffer.from(payload.data ?? []).toString('base64') }));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCODING), 'encryption-key-id': Buffer.from(currentId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString();
      const key = this.keyring.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with unknown key "${keyId}"`);
      const sealed = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      const inner = JSON.parse(plain.toString()) as { metadata: Record<string, string>; data: string };
      return { metadata: decodeMetadata(inner.metadata), data: Buffer.from(inner.data, 'base64') };
    });
  }
}

const encodeMetadata = (metadata: Payload['metadata']): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]));
const decodeMetadata = (metadata: Record<string, string>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

/** Passed to bundleWorkflowCode and workers, so failures raised in workflows are encoded too. */
export const failureConverterPath = require.resolve('./failure-converter');

/** The data converter every client uses: payloads encrypted, failure messages and stacks too. */
export function encryptedDataConverter(keyring: Keyring = keyringFromEnv()): { payloadCodecs: PayloadCodec[]; failureConverter: FailureConverter } {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverter };
}

/** The same for workers, whose workflow sandbox loads the failure converter by path. */
export const workerDataConverter = (keyring: Keyring = keyringFromEnv()): DataConverter => ({ payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath });

const isEncrypted = (value: unknown): value is Payload =>
  !!value && typeof value === 'object' && 'metadata' in value && Buffer.from((value as Payload).metadata?.encoding ?? []).toString() === ENCODING;

/** Decodes, in place, every encrypted payload of a fetched history, so it can be narrated. */
export async function decodeHistory<T>(history: T, codecs: PayloadCodec[]): Promise<T> {
  const visit = async (value: unknown): Promise<void> => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    for (const [k, v] of Object.entries(value)) {
      if (isEncrypted(v)) {
        let payloads = [v];
        for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
        (value as Record<string, unknown>)[k] = payloads[0];
      } else await visit(v);
    }
  };
  await visit(history);
  return history;
}
