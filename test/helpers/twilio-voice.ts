import { randomInt, randomUUID } from 'node:crypto';
import { startTwilioVoiceSimulator, type TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { startApi, type TestApi } from './api';
import { startWorker, type RunningWorker } from './worker';
import { forwardingHttpClient } from '../../infra/twilio';
import { testEnv } from './env';

/** The Twilio Voice simulator with the tests' credentials; its callbacks are signed over PUBLIC_URL, as Twilio would, and delivered to `api`. */
export function startVoiceSimulatorFor(api: () => TestApi): Promise<TwilioVoiceSimulator> {
  const env = testEnv();
  return startTwilioVoiceSimulator({
    accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN,
    reach: (url) => { const u = new URL(url); return `${api().url}${u.pathname}${u.search}`; },
  });
}

export interface VoiceStack {
  api: TestApi;
  worker: RunningWorker;
  sim: TwilioVoiceSimulator;
  /** An agent key, to press Transfer with. */
  agentKey: string;
}

/** The API, the voice simulator and a worker whose Twilio client talks to it, on a task queue of the suite's own. */
export function useVoiceStack(name: string): VoiceStack {
  const stack = {} as VoiceStack;
  const taskQueue = `${name}-${randomUUID()}`;
  beforeAll(async () => {
    stack.api = await startApi({ taskQueue });
    stack.sim = await startVoiceSimulatorFor(() => stack.api);
    stack.worker = await startWorker(stack.api.sql, { taskQueue, twilioHttpClient: forwardingHttpClient(stack.sim.url) });
    stack.agentKey = (await stack.api.request('POST', '/api-keys', { body: { name: 'call centre', role: 'agent' } })).body.key;
  });
  // Callbacks first, then the API, then the worker: an API call still waiting on a workflow update
  // needs the worker to answer it before the API's Temporal connection closes.
  afterAll(async () => {
    await stack.sim?.close();
    await stack.api?.close();
    await stack.worker?.stop();
  });
  return stack;
}

/** A UK mobile number in Ofcom's drama range, different each call. */
export const testPhone = () => `+4477009${String(randomInt(0, 100_000)).padStart(5, '0')}`;
