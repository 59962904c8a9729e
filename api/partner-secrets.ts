import { randomBytes } from 'node:crypto';
import type { DeliveryMethod, Partner, WebhookDelivery } from '../domain/config';

/** What a custom header's value reads as once stored: sending it back in a change keeps the stored value. */
export const REDACTED = '[redacted]';

/** How long a rotated-out signing secret still signs beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 3600_000;

type DeliveryInput = (Omit<WebhookDelivery, 'signingSecret' | 'previousSigningSecret'> & { signingSecret?: string }) | Exclude<DeliveryMethod, WebhookDelivery>;

const newSigningSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * The delivery a create or change stores. Secrets are write-only, so a change that leaves the signing
 * secret out, or sends a header back as "[redacted]", keeps what is stored; a new webhook without a
 * secret gets a fresh one in the Standard Webhooks format.
 */
export function deliveryToStore(input: DeliveryInput | null, existing: DeliveryMethod | null = null): DeliveryMethod | null {
  if (input?.type !== 'webhook') return input;
  const stored = existing?.type === 'webhook' ? existing : undefined;
  const headers = Object.fromEntries(Object.entries(input.headers).map(([name, v]) => [name, v === REDACTED && stored?.headers[name] !== undefined ? stored.headers[name] : v]));
  if (input.signingSecret) return { ...input, headers, signingSecret: input.signingSecret };
  return { ...input, headers, signingSecret: stored?.signingSecret ?? newSigningSecret(), ...(stored?.previousSigningSecret ? { previousSigningSecret: stored.previousSigningSecret } : {}) };
}

/** A partner as the API shows it after creation: no signing secret, and custom header values (often bearer tokens) redacted. */
export function withoutSecrets<P extends Pick<Partner, 'delivery'>>(partner: P): P {
  if (partner.delivery?.type !== 'webhook') return partner;
  const { signingSecret: _secret, previousSigningSecret: _previous, ...delivery } = partner.delivery;
  return { ...partner, delivery: { ...delivery, headers: Object.fromEntries(Object.keys(delivery.headers).map((name) => [name, REDACTED])) } as never };
}

/** A fresh signing secret; the old one keeps signing beside it for 24 hours. */
export function rotatedSigningSecret(delivery: WebhookDelivery, now = new Date()): { delivery: WebhookDelivery; previousValidUntil: string } {
  const previousValidUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  return { delivery: { ...delivery, signingSecret: newSigningSecret(), previousSigningSecret: { secret: delivery.signingSecret, validUntil: previousValidUntil } }, previousValidUntil };
}
