import { randomBytes } from 'node:crypto';
import type { FieldDef } from '../domain/lead-type-fields';
import { keyringFromVariable, openBytes, sealBytes, type Keyring } from './keyring';

/** A development key-encryption key, used only when LEADRELAY_FIELD_KEYS is unset outside production. */
export const DEV_FIELD_KEYS = 'dev:ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=';

/**
 * How a sealed value is stored in PostgreSQL: the value under its own data key, and that data key
 * under the key-encryption key named by `kek`. Rotating the keyring re-wraps data keys, never values.
 */
export interface SealedValue { $sealed: 'v1'; kek: string; dek: string; data: string }

export const isSealed = (value: unknown): value is SealedValue =>
  !!value && typeof value === 'object' && (value as { $sealed?: unknown }).$sealed === 'v1';

export type Fields = Record<string, unknown>;

/** Envelope encryption of the lead fields a lead type flags `encrypted`, with AES-256-GCM throughout. */
export class FieldSealer {
  constructor(private readonly keyring: Keyring) {}

  seal(value: unknown): SealedValue {
    const { currentId, keys } = this.keyring;
    const dataKey = randomBytes(32);
    const data = sealBytes(dataKey, Buffer.from(JSON.stringify(value)));
    return { $sealed: 'v1', kek: currentId, dek: sealBytes(keys.get(currentId)!, dataKey).toString('base64'), data: data.toString('base64') };
  }

  open(value: unknown): unknown {
    if (!isSealed(value)) return value;
    const kek = this.keyring.keys.get(value.kek);
    if (!kek) throw new Error(`sealed field under unknown key "${value.kek}": add it to LEADRELAY_FIELD_KEYS`);
    const dataKey = openBytes(kek, Buffer.from(value.dek, 'base64'));
    return JSON.parse(openBytes(dataKey, Buffer.from(value.data, 'base64')).toString());
  }

  /** Seals the values of the fields the lead type flags `encrypted`; the others stay usable in rules. */
  sealFields(defs: readonly FieldDef[], fields: Fields): Fields {
    const flagged = new Set(defs.filter((d) => d.encrypted).map((d) => d.name));
    return Object.fromEntries(Object.entries(fields).map(([name, v]) => [name, flagged.has(name) && v !== null && v !== undefined ? this.seal(v) : v]));
  }

  /** A copy with every sealed value in it, however deep, opened: for the partner it went to, its delivery and operators. */
  openAll<T>(value: T): T {
    return mapSealed(value, (v) => this.open(v)) as T;
  }

  /** A copy with every sealed value masked: what an agent without the reveal permission sees. */
  maskAll<T>(value: T): T {
    return mapSealed(value, (v) => {
      const plain = this.open(v);
      return typeof plain === 'string' && plain.length >= 8 && plain.length <= 64 ? `••••••${plain.slice(-2)}` : '••••••';
    }) as T;
  }
}

function mapSealed(value: unknown, f: (sealed: SealedValue) => unknown): unknown {
  if (isSealed(value)) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapSealed(v, f));
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSealed(v, f)]));
  return value;
}

export const sealedFieldNames = (fields: Fields) => Object.keys(fields).filter((name) => isSealed(fields[name]));

export const fieldSealerFromEnv = (env: NodeJS.ProcessEnv = process.env) => new FieldSealer(keyringFromVariable('LEADRELAY_FIELD_KEYS', DEV_FIELD_KEYS, env));
