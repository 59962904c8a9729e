import type { SealedValue } from '../../infra/field-sealing';

/** One delivery attempt as recorded in the history and in delivery_attempts: what was sent and what came back. */
export interface AttemptRecord {
  channel: 'webhook' | 'email' | 'portal';
  attempt: number;
  ok: boolean;
  /** URL and body are sealed when the lead carries sealed fields (see activities/deliveries.ts). */
  request: { method?: string; url?: string | SealedValue; to?: string[]; headers: Record<string, string>; body: string | SealedValue };
  response?: { status?: number; headers?: Record<string, string>; body?: string; messageId?: string };
  error?: string;
  /** A decision the partner gave in its webhook response, if any. */
  decision?: { decision: 'accept' | 'decline'; reason?: string };
  startedAt: string;
  durationMs: number;
}

const MAX_BODY = 8 * 1024;

/** Bodies are kept whole up to 8 KiB, so the history stays small however chatty a partner is. */
export const clip = (text: string) => (text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…[${text.length - MAX_BODY} more characters]` : text);
