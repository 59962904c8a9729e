import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it("answers a call to a number with a voice URL from its TwiML, and reports a conference's joins, leaves and end, signed, to the first participant's statusCallback", async () => {
    const heard: Array<Record<string, string>> = [];
    let base = '';
    // Our side: the voice URL puts the caller into a conference; every request must carry a valid signature.
    const app = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => { raw += c; }).on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(raw));
        if (!twilio.validateRequest(env.TWILIO_AUTH_TOKEN, String(req.headers['x-twilio-signature']), `${base}${req.url}`, form)) return res.writeHead(403).end();
        heard.push({ path: req.url!, ...form });
        const twiml = new twilio.twiml.VoiceResponse();
        twiml.dial().conference({ endConferenceOnExit: true, statusCallback: `${base}/conference`, statusCallbackEvent: ['join', 'leave', 'end'] }, `call-${form.CallSid}`);
        res.writeHead(200, { 'content-type': 'text/xml' }).end(req.url === '/incoming' ? twiml.toString() : '');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      sim.answerAt('+447700900444', `${base}/incoming`);
      const caller = sim.incomingCall('+447700900555', '+447700900444');
      const other = sim.incomingCall('+447700900556', '+447700900999');
      const client = createTwilioClient(env, { httpClient: forwardingHttpClient(sim.url) });
      await eventually(async () => (heard.some((h) => h.StatusCallbackEvent === 'participant-join') || undefined));
      const joining = new twilio.twiml.VoiceResponse();
      joining.dial().conference({ endConferenceOnExit: false, statusCallback: `${base}/ignored` }, `call-${caller}`);
      await client.calls(other).update({ twiml: joining.toString() });

      const live = await client.conferences.list({ friendlyName: `call-${caller}`, status: 'in-progress' });
      expect(live.map((c) => c.friendlyName)).toEqual([`call-${caller}`]);
      expect((await client.conferences(live[0]!.sid).participants.list()).map((p) => [p.callSid, p.endConferenceOnExit])).toEqual([[caller, true], [other, false]]);
      await sim.hangUp(caller);
      expect(await client.conferences.list({ friendlyName: `call-${caller}`, status: 'in-progress' })).toEqual([]);
      expect(sim.calls.get(other)!.status).toBe('completed');
      expect(heard.map((h) => `${h.path} ${h.StatusCallbackEvent ?? h.CallStatus} ${h.CallSid ?? h.CallSidEndingConference}`)).toEqual([
        `/incoming ringing ${caller}`, `/conference participant-join ${caller}`, `/conference participant-join ${other}`,
        `/conference participant-leave ${caller}`, `/conference participant-leave ${other}`, `/conference conference-end ${caller}`,
      ]);
      expect(heard.at(-1)).toMatchObject({ FriendlyName: `call-${caller}`, ConferenceSid: live[0]!.sid, ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left', SequenceNumber: '5' });
    } finally {
      app.close();
    }
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
