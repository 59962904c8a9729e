import { request, type Dispatcher } from 'undici';
import { Webhook } from 'standardwebhooks';
import type { WebhookDelivery } from '../../domain/config';
import { clip, type AttemptRecord } from './attempt';

export interface WebhookSend {
  delivery: WebhookDelivery;
  signingSecret: string;
  webhookId: string;
  body: string;
  attempt: number;
  dispatcher: Dispatcher;
}

/**
 * One signed webhook request (Standard Webhooks: webhook-id stays the same on every retry, so the
 * partner can deduplicate). No redirects are followed; 2xx is delivered, anything else is a failed
 * attempt that the workflow retries.
 */
export async function sendWebhook({ delivery, signingSecret, webhookId, body, attempt, dispatcher }: WebhookSend): Promise<AttemptRecord> {
  const sentAt = new Date();
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  const signature = new Webhook(signingSecret).sign(webhookId, new Date(timestamp * 1000), body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...delivery.headers,
    'user-agent': 'leadrelay-webhooks/1',
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
  const base = { channel: 'webhook' as const, attempt, request: { method: delivery.method, url: delivery.url, headers, body: clip(body) }, startedAt: sentAt.toISOString() };
  const started = performance.now();
  try {
    const res = await request(delivery.url, {
      method: delivery.method,
      headers,
      body,
      dispatcher,
      signal: AbortSignal.timeout(delivery.timeoutMs),
      headersTimeout: delivery.timeoutMs,
      bodyTimeout: delivery.timeoutMs,
    });
    const text = await res.body.text();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      ...base,
      ok,
      response: { status: res.statusCode, headers: flatten(res.headers), body: clip(text) },
      ...(ok ? { decision: decisionIn(text) } : { error: `partner answered HTTP ${res.statusCode}` }),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || /timeout/i.test(e.name);
    return {
      ...base,
      ok: false,
      error: timedOut ? `no answer within ${delivery.timeoutMs} ms` : (e.cause?.message ?? e.message),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

const flatten = (headers: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));

/** A partner may accept or decline in its webhook answer: {"decision": "accept" | "decline", "reason": "..."}. */
function decisionIn(text: string): AttemptRecord['decision'] {
  try {
    const parsed = JSON.parse(text) as { decision?: unknown; reason?: unknown };
    if (parsed.decision === 'accept' || parsed.decision === 'decline') {
      return { decision: parsed.decision, ...(typeof parsed.reason === 'string' ? { reason: parsed.reason.slice(0, 500) } : {}) };
    }
  } catch {
    // Not JSON: the answer carries no decision.
  }
  return undefined;
}
