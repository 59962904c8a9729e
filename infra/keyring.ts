import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Keyring { currentId: string; keys: Map<string, Buffer> }

/** Parses `id:base64key,id:base64key`: the first key encrypts, every key decrypts (old keys stay for rotation). */
export function parseKeyring(spec: string, variable: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error(`${variable}: key "${id}" must be id:base64 of 32 bytes`);
    keys.set(id, key);
  }
  const currentId = keys.keys().next().value;
  if (!currentId) throw new Error(`${variable}: at least one key is required`);
  return { currentId, keys };
}

/** The keyring in `variable`; outside production a development key stands in, and production refuses it. */
export function keyringFromVariable(variable: string, devSpec: string, env: NodeJS.ProcessEnv = process.env): Keyring {
  const spec = env[variable];
  if (!spec && env.NODE_ENV === 'production') throw new Error(`${variable} must be set in production`);
  if (spec === devSpec && env.NODE_ENV === 'production') throw new Error(`${variable} must not be the development key in production`);
  return parseKeyring(spec || devSpec, variable);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: a fresh 96-bit IV, then the ciphertext, then the tag. */
export function sealBytes(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Opens what sealBytes made; a wrong key or any tampering throws. */
export function openBytes(key: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}
