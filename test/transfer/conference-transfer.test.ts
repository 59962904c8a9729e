import twilio from 'twilio';
import { eventually } from '../helpers/wait';
import { conferenceStatusUrl, incomingCallUrl } from '../../domain/transfer';
import { useTransferStack } from './transfer-stack';

const { stack, env, phone, leadIn, transferLead, transfer, dialled, callTo, charges } = useTransferStack();
/** The call centre's own line: calls to it have no voice URL, so an agent's call simply stays up. */
const AGENT_DESK = '+447700900111';

beforeAll(() => stack.sim.answerAt(env.TWILIO_FROM_NUMBER, incomingCallUrl(env.PUBLIC_URL)));

const press = (leadId: string, body: Record<string, string>) => stack.api.request('POST', `/leads/${leadId}/transfer`, { key: stack.agentKey, body });

/** A consumer calls our number and, as Twilio would, is answered by leadrelay's voice URL into their own conference. */
async function incomingCall() {
  const consumer = stack.sim.incomingCall(phone(), env.TWILIO_FROM_NUMBER);
  const conference = `call-${consumer}`;
  await eventually(async () => stack.sim.conferences.get(conference)?.callSids.includes(consumer) || undefined);
  return { consumer, conference };
}

const stepNames = async (leadId: string, names: Record<string, string> = {}) =>
  (await transfer(leadId)).body.steps.map((s: { partnerName: string; step: string }) => `${names[s.partnerName] ?? s.partnerName.split('-')[0]}:${s.step}`);

/** Who came and went in the conference, in order, by role. */
const conferenceLog = (conference: string, who: Record<string, string>) =>
  stack.sim.conferences.get(conference)!.log.map((e) => `${e.event}${e.callSid ? `:${who[e.callSid] ?? e.callSid}` : ''}`);

describe('transfers from an incoming call, with the agent on the line', () => {
  it('greets a caller to our number and holds them in call-<CallSid>; Transfer with that conference connects the partner who presses 1, charged once Twilio reports them in it', async () => {
    const { leadId, phones, distribution } = await transferLead([['busy', { answer: 'busy' }], ['taker', { answer: 'human', press: '1' }]],
      { taker: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
    const { consumer, conference } = await incomingCall();
    expect(stack.sim.calls.get(consumer)!.heard).toEqual(['Thank you for calling. Please hold while we connect you.']);
    expect(stack.sim.callbacks.find((c) => c.params.CallSid === consumer)).toMatchObject({ url: incomingCallUrl(env.PUBLIC_URL), status: 200 });
    expect(stack.sim.conferences.get(conference)).toMatchObject({ statusCallback: conferenceStatusUrl(env.PUBLIC_URL), statusCallbackEvent: ['join', 'leave', 'end'] });

    const started = await press(leadId, { conference });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'transferring', conference });

    await leadIn(leadId, 'delivered');
    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.taker!.id, amountMinor: 25_01 }]);
    expect(dialled(phones.busy!)).toHaveLength(1);
    const taker = callTo(phones.taker!);
    expect(stack.sim.conferences.get(conference)!.callSids).toEqual([consumer, taker.sid]);
    expect(stack.sim.conferences.get(`lead-${leadId}`)).toBeUndefined();

    const body = (await transfer(leadId)).body;
    expect(body).toMatchObject({ status: 'transferred', conference, consumerCallSid: consumer });
    const steps = await stepNames(leadId);
    expect(steps).toEqual(expect.arrayContaining([':holding', 'busy:refused', 'taker:pressed', 'taker:joined', 'taker:connected', 'taker:charged']));
    // The billable clock starts at the join Twilio reports, not at the key press.
    expect(steps.indexOf('taker:pressed')).toBeLessThan(steps.indexOf('taker:joined'));
    expect(steps.indexOf('taker:joined')).toBeLessThan(steps.indexOf('taker:connected'));
    const history = JSON.stringify((await stack.api.request('GET', `/leads/${leadId}/history`, { key: stack.agentKey })).body);
    expect(history).toContain('transfer_joined');
    expect(history).toContain(`transfer of conference ${conference} requested by agent:call centre`);
  });

  it("cold (the default): the agent's call joins the conference and is ended once the partner has joined; consumer and partner stay connected", async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', afterMs: 500, press: '1' }]], { taker: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
    const { consumer, conference } = await incomingCall();
    const agent = stack.sim.incomingCall(phone(), AGENT_DESK);

    const started = await press(leadId, { conference, agentCallSid: agent });
    expect(started.body).toMatchObject({ agentCallSid: agent, mode: 'cold' });
    await leadIn(leadId, 'delivered');

    const taker = callTo(phones.taker!).sid;
    await eventually(async () => (stack.sim.calls.get(agent)!.status === 'completed' || undefined));
    expect(conferenceLog(conference, { [consumer]: 'consumer', [agent]: 'agent', [taker]: 'partner' }))
      .toEqual(['participant-join:consumer', 'participant-join:agent', 'participant-join:partner', 'participant-leave:agent']);
    expect(stack.sim.conferences.get(conference)!.callSids).toEqual([consumer, taker]);
    expect(stack.sim.calls.get(consumer)!.status).toBe('in-progress');
    const steps = await stepNames(leadId);
    expect(steps).toEqual(expect.arrayContaining([':agent_joined', ':joined', 'taker:joined', ':agent_dropped', 'taker:charged']));
    expect(steps.indexOf('taker:joined')).toBeLessThan(steps.indexOf(':agent_dropped'));
    // The agent hung up by leadrelay: Calls update Status=completed.
    expect(stack.sim.requests).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(`/Calls/${agent}.json`), form: { Status: 'completed' } })]));
  });

  it("goes on without the agent when the agent's call has already ended", async () => {
    const { leadId } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const { conference } = await incomingCall();
    const agent = stack.sim.incomingCall(phone(), AGENT_DESK);
    await stack.sim.hangUp(agent);
    expect((await press(leadId, { conference, agentCallSid: agent })).status).toBe(202);
    await leadIn(leadId, 'delivered');
    const steps = await stepNames(leadId);
    expect(steps).toContain(':agent_gone');
    expect(steps).not.toContain(':agent_dropped');
    expect(stack.sim.calls.get(agent)!.conference).toBeUndefined();
  });

  it("warm: the agent stays to introduce the partner, and when the agent hangs up the consumer and partner stay connected", async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', press: '1' }]], { taker: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
    // Here the agent names the consumer's call: it is moved into the lead's own conference, and the agent's with it.
    const consumer = stack.sim.incomingCall(phone(), AGENT_DESK);
    const agent = stack.sim.incomingCall(phone(), AGENT_DESK);
    expect((await press(leadId, { consumerCallSid: consumer, agentCallSid: agent, mode: 'warm' })).body).toMatchObject({ mode: 'warm', conference: `lead-${leadId}` });
    await leadIn(leadId, 'delivered');

    const conference = `lead-${leadId}`;
    const taker = callTo(phones.taker!).sid;
    expect(stack.sim.conferences.get(conference)!.callSids).toEqual([consumer, agent, taker]);
    expect(await stepNames(leadId)).not.toContain(':agent_dropped');

    await stack.sim.hangUp(agent);
    // Twilio heard us answer the agent's leave, although the lead's transfer is over.
    expect(stack.sim.callbacks.filter((c) => c.params.CallSid === agent).map((c) => `${c.params.StatusCallbackEvent}: ${c.status}`)).toEqual(['participant-join: 204', 'participant-leave: 204']);
    expect(stack.sim.conferences.get(conference)!.callSids).toEqual([consumer, taker]);
    expect(stack.sim.conferences.get(conference)!.endedAt).toBeUndefined();
    expect([consumer, taker].map((sid) => stack.sim.calls.get(sid)!.status)).toEqual(['in-progress', 'in-progress']);
    expect(conferenceLog(conference, { [consumer]: 'consumer', [agent]: 'agent', [taker]: 'partner' }))
      .toEqual(['participant-join:consumer', 'participant-join:agent', 'participant-join:partner', 'participant-leave:agent']);
  });

  it('stops when the caller leaves the conference mid-transfer: the ringing partner is hung up on, nobody else rung', async () => {
    const { leadId, phones } = await transferLead([['slow', { answer: 'human', afterMs: 15_000, press: '1' }], ['next', { answer: 'human', press: '1' }]]);
    const { consumer, conference } = await incomingCall();
    expect((await press(leadId, { conference })).status).toBe(202);
    await eventually(async () => ((await stepNames(leadId)).includes('slow:ringing') || undefined));
    await stack.sim.hangUp(consumer);

    const lead = await leadIn(leadId, 'cancelled');
    expect(lead.reason).toBe('the consumer hung up during the transfer');
    expect(callTo(phones.slow!).status).toBe('canceled');
    expect(dialled(phones.next!)).toHaveLength(0);
    expect(await charges(leadId)).toEqual([]);
    expect(await stepNames(leadId)).toEqual(expect.arrayContaining([':left', ':conference_ended', 'slow:refused', ':consumer_hung_up']));
  });

  it('does not charge a partner whose join Twilio never reports: its call is ended and the next partner rung', async () => {
    const { leadId, phones, distribution } = await transferLead([['unseen', { answer: 'human', press: '1' }], ['seen', { answer: 'human', press: '1' }]]);
    stack.sim.loseCallbacks((_url, p) => p.StatusCallbackEvent === 'participant-join' && stack.sim.calls.get(p.CallSid ?? '')?.to === phones.unseen);
    const { conference } = await incomingCall();
    expect((await press(leadId, { conference })).status).toBe(202);

    const lead = await leadIn(leadId, 'delivered');
    expect(lead.deliveries.map((d: { status: string; reason: string | null }) => `${d.status}: ${d.reason}`))
      .toEqual(['failed: pressed 1 but was not in the conference within 30 s', 'accepted: null']);
    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.seen!.id, amountMinor: 25_01 }]);
    expect(callTo(phones.unseen!).status).toBe('completed');
    expect(stack.sim.conferences.get(conference)!.callSids).toEqual([expect.any(String), callTo(phones.seen!).sid]);
    stack.sim.loseCallbacks(() => false);
  }, 120_000);

  it('ends the lead, ringing nobody, when the caller left the conference before Transfer was pressed', async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const { consumer, conference } = await incomingCall();
    await stack.sim.hangUp(consumer);
    expect((await press(leadId, { conference })).status).toBe(202);
    const lead = await leadIn(leadId, 'cancelled');
    expect(lead.reason).toBe(`the consumer had left conference ${conference} before the transfer`);
    expect(dialled(phones.taker!)).toHaveLength(0);
  });

  it('documents the Transfer body and the incoming-call and conference callbacks', async () => {
    const doc = (await stack.api.request('GET', '/openapi.json', { key: null })).body;
    expect(Object.keys(doc.components.schemas.StartTransfer.properties)).toEqual(['consumerCallSid', 'conference', 'agentCallSid', 'mode']);
    expect(doc.paths['/twilio/voice/incoming'].post.security).toEqual([]);
    expect(Object.keys(doc.paths['/twilio/voice/conference'].post.responses)).toEqual(['204', '400', '403']);
  });

  it('checks the signature of conference events, ignores a replayed one and events of a conference no lead claimed, and lets one lead only claim a conference', async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const { consumer, conference } = await incomingCall();
    expect((await press(leadId, { conference })).status).toBe(202);
    await leadIn(leadId, 'delivered');
    const steps = (await transfer(leadId)).body.steps.length;

    const joined = stack.sim.callbacks.find((c) => c.params.StatusCallbackEvent === 'participant-join' && c.params.CallSid === callTo(phones.taker!).sid)!;
    expect(joined.params).toMatchObject({ FriendlyName: conference, ConferenceSid: expect.stringMatching(/^CF/) });
    const post = (params: Record<string, string>, signature: string) => stack.api.request('POST', '/twilio/voice/conference', {
      key: null, rawBody: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });
    const signed = (params: Record<string, string>) => twilio.getExpectedTwilioSignature(env.TWILIO_AUTH_TOKEN, joined.url, params);
    const forged = { ...joined.params, StatusCallbackEvent: 'conference-end' };
    expect((await post(forged, twilio.getExpectedTwilioSignature('not-our-auth-token-at-all', joined.url, forged))).status).toBe(403);
    expect((await post(joined.params, signed(joined.params))).status).toBe(204);
    const unclaimed = { ...joined.params, FriendlyName: 'call-nobody-claimed-this' };
    expect((await post(unclaimed, signed(unclaimed))).status).toBe(204);
    expect((await transfer(leadId)).body.steps).toHaveLength(steps);

    const other = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const refused = await press(other.leadId, { conference });
    expect(refused.status).toBe(409);
    expect(refused.body.problems).toEqual([{ field: 'body.conference', reason: `already transferring lead ${leadId}` }]);
    expect((await stack.api.request('GET', `/leads/${other.leadId}`, { key: stack.agentKey })).body.status).toBe('awaiting_referral');
    expect(stack.sim.calls.get(consumer)!.status).toBe('in-progress');
  });
});
