import { startTwilioVoiceSimulator, type TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import type { TestApi } from './api';
import { testEnv } from './env';

/** The Twilio Voice simulator with the tests' credentials; its callbacks are signed over PUBLIC_URL, as Twilio would, and delivered to `api`. */
export function startVoiceSimulatorFor(api: () => TestApi): Promise<TwilioVoiceSimulator> {
  const env = testEnv();
  return startTwilioVoiceSimulator({
    accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN,
    reach: (url) => { const u = new URL(url); return `${api().url}${u.pathname}${u.search}`; },
  });
}
