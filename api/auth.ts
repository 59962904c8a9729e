import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Sql } from '../db/client';
import { findActiveKeyByHash, hasActiveOperatorKey, insertApiKey, type ApiKeyRecord, type Role } from '../db/api-keys';
import { inTransaction } from '../db/transaction';
import { HttpError } from './http-error';

export type { Role };

/** Who is calling: the key's role, and for a partner key the one partner it may see. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  partnerId: string | null;
  /** An agent key allowed to see sealed lead fields in clear. */
  canReveal: boolean;
}

export type RouteAuth = 'public' | readonly Role[];

/**
 * Keys are 32 random bytes, so a single unsalted SHA-256 is enough to store them: there is no
 * dictionary to brute-force, unlike passwords, and a fast hash keeps per-request lookup cheap.
 */
export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export function generateApiKey(): { key: string; keyHash: string; keyPrefix: string } {
  const key = `lr_${randomBytes(32).toString('base64url')}`;
  return { key, keyHash: hashApiKey(key), keyPrefix: key.slice(0, 10) };
}

export async function createApiKey(sql: Sql, k: { name: string; role: Role; partnerId: string | null; canReveal?: boolean; expiresAt?: Date }): Promise<{ key: string; record: ApiKeyRecord }> {
  const generated = generateApiKey();
  const record = await insertApiKey(sql, { id: randomUUID(), ...k, keyHash: generated.keyHash, keyPrefix: generated.keyPrefix });
  if (!record) throw new Error('generated API key collided with an existing one');
  return { key: generated.key, record };
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/**
 * Resolves the bearer key, then checks its role against the route; 401 without a valid key, 403 for
 * the wrong role. A partner's keys work only while it is active; one awaiting activation may read
 * its own status and nothing else (Leadflip: inactive partners can't log in).
 */
export async function authorize(sql: Sql, req: Request, route: { auth: RouteAuth; pendingPartners?: boolean }): Promise<Principal | null> {
  const { auth } = route;
  if (auth === 'public') return null;
  const header = req.header('authorization');
  if (!header) throw unauthorized('missing Authorization: Bearer <API key>');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Authorization must be "Bearer <API key>"');
  const key = await findActiveKeyByHash(sql, hashApiKey(match[1] as string));
  if (!key) throw unauthorized('API key is unknown, revoked or expired');
  if (!auth.includes(key.role)) throw new HttpError(403, 'forbidden', `a ${key.role} key can't do this; it needs ${auth.join(' or ')}`);
  if (key.partnerStatus === 'inactive') throw new HttpError(403, 'partner_inactive', 'this partner is inactive, so its keys are refused; ask your operator to reactivate it');
  if (key.partnerStatus === 'pending' && !route.pendingPartners) {
    throw new HttpError(403, 'partner_pending', 'this partner is awaiting activation: until an operator activates it, its key may only read GET /portal/me');
  }
  return { keyId: key.id, name: key.name, role: key.role, partnerId: key.partnerId, canReveal: key.canReveal };
}

// Serialises first-start bootstrap between API processes sharing a database.
const BOOTSTRAP_LOCK = 7_201_512;

/**
 * Makes sure an operator can get in. A key from the environment is registered (by hash) if it
 * isn't yet; otherwise, when no operator key exists, one is created and handed to `print` once:
 * it is never stored in clear, so it can't be shown again.
 */
export async function ensureOperatorKey(sql: Sql, options: { envKey?: string; print: (line: string) => void }): Promise<'from_env' | 'created' | 'exists'> {
  return inTransaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
    if (options.envKey) {
      await insertApiKey(tx, { id: randomUUID(), name: 'operator (LEADRELAY_OPERATOR_KEY)', role: 'operator', partnerId: null, keyHash: hashApiKey(options.envKey), keyPrefix: options.envKey.slice(0, 10) });
      return 'from_env' as const;
    }
    if (await hasActiveOperatorKey(tx)) return 'exists' as const;
    const { key } = await createApiKey(tx, { name: 'first operator', role: 'operator', partnerId: null });
    options.print(`First operator API key (shown once, store it now): ${key}`);
    return 'created' as const;
  });
}
