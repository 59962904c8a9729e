import twilio from 'twilio';
import { createTwilioClient, forwardingHttpClient } from '../../infra/twilio';
import { startTwilioVoiceSimulator, type TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { testEnv } from '../helpers/env';
import { eventually } from '../helpers/wait';

const env = testEnv();
let sim: TwilioVoiceSimulator;
beforeAll(async () => {
  sim = await startTwilioVoiceSimulator({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN });
});
afterAll(() => sim.close());

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

describe('the local Twilio Voice simulator', () => {
  it("answers the real twilio client with Twilio's shapes: a call moved into a conference is listed as its participant", async () => {
    const client = createTwilioClient(env, { httpClient: forwardingHttpClient(sim.url) });
    const consumer = sim.incomingCall('+447700900555', env.TWILIO_FROM_NUMBER);
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.dial().conference({ endConferenceOnExit: true }, 'lead-simulator-test');
    const updated = await client.calls(consumer).update({ twiml: twiml.toString() });
    expect(updated).toMatchObject({ sid: consumer, status: 'in-progress', direction: 'inbound', from: '+447700900555' });

    const [conference] = await client.conferences.list({ limit: 20 });
    expect(conference).toMatchObject({ friendlyName: 'lead-simulator-test', status: 'in-progress' });
    const participants = await client.conferences(conference!.sid).participants.list();
    expect(participants.map((p) => p.callSid)).toEqual([consumer]);
    await expect(client.calls('CA00000000000000000000000000000000').fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(createTwilioClient({ ...env, TWILIO_AUTH_TOKEN: 'someone-elses-token' }, { httpClient: forwardingHttpClient(sim.url) }).calls(consumer).fetch())
      .rejects.toMatchObject({ status: 401 });
  });

  it('lets a person play the phones over HTTP (npm start): script a number, put a consumer on the line, hang up, read the call log', async () => {
    expect((await control('PUT', '/simulator/numbers/%2B447700900777', { answer: 'busy' })).status).toBe(200);
    expect((await control('PUT', '/simulator/numbers/%2B447700900777', { answer: 'sometimes' })).status).toBe(400);
    const placed = await control('POST', '/simulator/incoming-calls', { from: '+447700900666', to: env.TWILIO_FROM_NUMBER });
    expect(placed.status).toBe(201);
    const hungUp = await control('POST', `/simulator/calls/${placed.body.sid}/hangup`);
    expect(hungUp.body).toMatchObject({ sid: placed.body.sid, status: 'completed' });

    const client = createTwilioClient(env, { httpClient: forwardingHttpClient(sim.url) });
    const call = await client.calls.create({ to: '+447700900777', from: env.TWILIO_FROM_NUMBER, url: 'http://127.0.0.1:9/never-fetched' });
    const logged = await eventually(async () => {
      const c = (await control('GET', '/simulator/calls')).body.calls.find((x: { sid: string }) => x.sid === call.sid);
      return c.status === 'busy' ? c : undefined;
    });
    expect(logged).toMatchObject({ to: '+447700900777', heard: [] });
  });
});
