import { request, type Dispatcher } from 'undici';
import { Webhook } from 'standardwebhooks';
import type { WebhookDelivery } from '../../domain/config';
import type { RenderedRequest } from '../../domain/delivery-formats';
import { clip, type AttemptRecord } from './attempt';
import { readAnswer, soapFault } from './partner-answer';

export interface WebhookSend {
  delivery: WebhookDelivery;
  webhookId: string;
  /** The URL and request in the partner's format, lead variables filled in. */
  url: string;
  request: RenderedRequest;
  attempt: number;
  dispatcher: Dispatcher;
}

/**
 * One signed webhook request (Standard Webhooks: webhook-id stays the same on every retry, so the
 * partner can deduplicate). No redirects are followed; 2xx is delivered, anything else is a failed
 * attempt that the workflow retries.
 */
export async function sendWebhook({ delivery, webhookId, url, request: rendered, attempt, dispatcher }: WebhookSend): Promise<AttemptRecord> {
  const { body } = rendered;
  const sentAt = new Date();
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  // After a rotation both secrets sign, space-separated, as Standard Webhooks allows: either verifies.
  const previous = delivery.previousSigningSecret;
  const secrets = [delivery.signingSecret, ...(previous && Date.parse(previous.validUntil) > sentAt.getTime() ? [previous.secret] : [])];
  const signature = secrets.map((secret) => new Webhook(secret).sign(webhookId, new Date(timestamp * 1000), body)).join(' ');
  const headers: Record<string, string> = {
    'content-type': rendered.contentType,
    ...rendered.headers,
    'user-agent': 'leadrelay-webhooks/1',
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
  const base = { channel: 'webhook' as const, attempt, request: { method: delivery.method, url, headers, body: clip(body) }, startedAt: sentAt.toISOString() };
  const started = performance.now();
  try {
    const res = await request(url, {
      method: delivery.method,
      headers,
      body,
      dispatcher,
      signal: AbortSignal.timeout(delivery.timeoutMs),
      headersTimeout: delivery.timeoutMs,
      bodyTimeout: delivery.timeoutMs,
    });
    const text = await readCapped(res.body);
    // A SOAP fault is a failure whatever its status; SOAP 1.1 sends it with a 500.
    const fault = delivery.format?.startsWith('soap') ? soapFault(text) : undefined;
    const ok = res.statusCode >= 200 && res.statusCode < 300 && !fault;
    return {
      ...base,
      ok,
      response: { status: res.statusCode, headers: flatten(res.headers), body: clip(text) },
      ...(ok ? { decision: readAnswer(text, delivery.answer) } : { error: fault ? `SOAP fault: ${fault}` : `partner answered HTTP ${res.statusCode}` }),
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

/** How much of a partner's answer is read: enough for any decision, and a partner can't fill the worker's memory. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the stream, so the rest is never received.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
    size += chunk.length;
    if (size >= MAX_RESPONSE_BYTES) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}
