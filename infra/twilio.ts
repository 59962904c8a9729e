import twilio, { type Twilio } from 'twilio';
import type { Env } from './env';

export type TwilioHttpClient = NonNullable<NonNullable<Parameters<typeof twilio>[2]>['httpClient']>;

/** The Twilio REST client; tests pass a local `httpClient` so nothing reaches the network. */
export function createTwilioClient(env: Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN'>, options: { httpClient?: TwilioHttpClient } = {}): Twilio {
  return twilio(env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, options.httpClient ? { httpClient: options.httpClient } : {});
}

/**
 * Sends the client's requests to another base URL than https://api.twilio.com: the local Twilio
 * Voice simulator in tests and in `npm start` without real credentials. Same paths, same form bodies.
 */
export function forwardingHttpClient(baseUrl: string): TwilioHttpClient {
  return {
    async request(opts: { method: string; uri: string; username?: string; password?: string; params?: Record<string, unknown>; data?: Record<string, unknown> }) {
      const target = new URL(new URL(opts.uri).pathname, baseUrl);
      for (const [k, v] of Object.entries(opts.params ?? {})) if (v !== undefined) target.searchParams.append(k, String(v));
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.data ?? {})) {
        for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) form.append(k, String(one));
      }
      const method = opts.method.toUpperCase();
      const res = await fetch(target, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`,
          ...(method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        body: method === 'GET' ? undefined : form.toString(),
      });
      return { statusCode: res.status, body: await res.text(), headers: { 'content-type': res.headers.get('content-type') ?? '' } };
    },
  } as unknown as TwilioHttpClient;
}
