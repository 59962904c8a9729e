import type { DataConverter, FailureConverter, Payload, PayloadCodec } from '@temporalio/common';
import { failureConverter } from './failure-converter';
import { keyringFromVariable, openBytes, parseKeyring as parseKeyringOf, sealBytes, type Keyring } from './keyring';

const ENCODING = 'binary/encrypted';

/** A development key, used only when LEADRELAY_PAYLOAD_KEYS is unset outside production. */
export const DEV_PAYLOAD_KEYS = 'dev:ZGV2LW9ubHktcGF5bG9hZC1rZXktMzItYnl0ZXMhISE=';

export type { Keyring };

export const parseKeyring = (spec: string): Keyring => parseKeyringOf(spec, 'LEADRELAY_PAYLOAD_KEYS');
export const keyringFromEnv = (env: NodeJS.ProcessEnv = process.env): Keyring => keyringFromVariable('LEADRELAY_PAYLOAD_KEYS', DEV_PAYLOAD_KEYS, env);

/** AES-256-GCM over each whole payload; the key id travels in the metadata so old keys still decrypt. */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { currentId, keys } = this.keyring;
    const key = keys.get(currentId)!;
    return payloads.map((payload) => {
      const plain = Buffer.from(JSON.stringify({ metadata: encodeMetadata(payload.metadata), data: Buffer.from(payload.data ?? []).toString('base64') }));
      const sealed = sealBytes(key, plain);
      return { metadata: { encoding: Buffer.from(ENCODING), 'encryption-key-id': Buffer.from(currentId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString();
      const key = this.keyring.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with unknown key "${keyId}"`);
      const plain = openBytes(key, Buffer.from(payload.data ?? []));
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
