import twilio, { type Twilio } from 'twilio';
import type { Env } from './env';

export type TwilioHttpClient = NonNullable<NonNullable<Parameters<typeof twilio>[2]>['httpClient']>;

/** The Twilio REST client; tests pass a local `httpClient` so nothing reaches the network. */
export function createTwilioClient(env: Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN'>, options: { httpClient?: TwilioHttpClient } = {}): Twilio {
  return twilio(env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, options.httpClient ? { httpClient: options.httpClient } : {});
}
