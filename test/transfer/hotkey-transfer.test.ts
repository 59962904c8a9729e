import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { TestApi } from '../helpers/api';
import { configureDistribution } from '../helpers/distribution';
import type { TransferSettings } from '../../domain/transfer';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { INVALID_NUMBER } from '../../infra/twilio-voice-simulator';
import type { PhoneBehaviour, TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { testPhone, useVoiceStack } from '../helpers/twilio-voice';

const env = testEnv();
const voice = useVoiceStack('transfer');
let api: TestApi;
let sim: TwilioVoiceSimulator;
let agentKey: string;
beforeAll(() => {
  ({ api, sim, agentKey } = voice);
});

const phone = testPhone;

/** A transfer lead type with one partner per behaviour, best first, each with its own transfer phone scripted in the simulator. */
async function transferLead(behaviours: Array<[name: string, behaviour: PhoneBehaviour]>, settings: Record<string, TransferSettings> = {}) {
  const phones: Record<string, string> = {};
  const partners = behaviours.map(([name, behaviour], i) => {
    phones[name] = phone();
    sim.script(phones[name]!, behaviour);
    return { name, priority: behaviours.length - i, priceMinor: 25_00 + i, transferPhone: phones[name] };
  });
  const distribution = await configureDistribution(api, { referralMethod: 'transfer', referralScope: 1, referralDeadlineSeconds: 600, partners });
  for (const [name] of behaviours) {
    const put = await api.request('PUT', `/partners/${distribution.partners[name]!.id}/transfer-settings`, { body: settings[name] ?? { ringTimeoutSeconds: 20, minBillableSeconds: 0 } });
    expect(put.status).toBe(200);
  }
  const created = await api.request('POST', '/leads', { key: agentKey, body: { leadType: distribution.leadTypeName, fields: { name: 'Ada', postcode: 'SW1A 1AA' } } });
  expect(created.status).toBe(202);
  const leadId: string = created.body.id;
  await leadIn(leadId, 'awaiting_referral');
  return { leadId, phones, distribution };
}

const leadIn = (id: string, status: string) =>
  eventually(async () => {
    const r = await api.request('GET', `/leads/${id}`, { key: agentKey });
    return r.body.status === status ? r.body : undefined;
  }, { timeoutMs: 90_000 });

const pressTransfer = (leadId: string, consumerCallSid: string) =>
  api.request('POST', `/leads/${leadId}/transfer`, { key: agentKey, body: { consumerCallSid } });

const consumerCall = () => sim.incomingCall(phone(), env.TWILIO_FROM_NUMBER);
const dialled = (to: string) => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Calls.json') && r.form.To === to);
const callTo = (to: string) => [...sim.calls.values()].find((c) => c.to === to)!;
/** Charges on partners' statements for the lead, in minor units (a charge lowers the balance, so it is stored negative). */
const charges = async (leadId: string) =>
  (await api.sql<{ partner_id: string; amount_minor: string }[]>`select partner_id, amount_minor from partner_transactions where lead_id = ${leadId} and kind = 'charge'`)
    .map((r) => ({ partnerId: r.partner_id, amountMinor: -Number(r.amount_minor) }));

describe('hotkey telephone transfer', () => {
  it('rings partners in turn: a busy one is skipped, the next presses 1, joins the consumer and is charged once', async () => {
    const { leadId, phones, distribution } = await transferLead([['busy', { answer: 'busy' }], ['taker', { answer: 'human', press: '1' }], ['spare', { answer: 'human', press: '1' }]],
      { taker: { ringTimeoutSeconds: 15, minBillableSeconds: 1 } });
    const consumer = consumerCall();

    const started = await pressTransfer(leadId, consumer);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'transferring', conference: `lead-${leadId}`, consumerCallSid: consumer });

    const lead = await leadIn(leadId, 'delivered');
    expect(lead.reason).toMatch(/call taken by taker/);
    expect(lead.deliveries.map((d: { status: string }) => d.status)).toEqual(['failed', 'accepted']);

    // The consumer waits in the lead's conference; the taker joins it; nobody else is rung.
    expect(sim.calls.get(consumer)!.conference).toBe(`lead-${leadId}`);
    expect(dialled(phones.busy!)).toHaveLength(1);
    expect(dialled(phones.taker!)).toHaveLength(1);
    expect(dialled(phones.spare!)).toHaveLength(0);
    expect(dialled(phones.taker!)[0]!.form).toMatchObject({ From: env.TWILIO_FROM_NUMBER, MachineDetection: 'Enable', Timeout: '15', StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] });
    expect(dialled(phones.busy!)[0]!.form.Timeout).toBe('20');
    const taker = callTo(phones.taker!);
    expect(taker.conference).toBe(`lead-${leadId}`);
    expect(taker.heard).toEqual([`leadrelay transfer: a ${distribution.leadTypeName} lead is on the line, for 25.01 GBP.`, 'Press 1 to take the call, or 2 to decline.']);
    expect(callTo(phones.busy!).status).toBe('busy');

    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.taker!.id, amountMinor: 25_01 }]);

    const transfer = await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey });
    expect(transfer.status).toBe(200);
    expect(transfer.body.status).toBe('transferred');
    const steps = transfer.body.steps.map((s: { partnerName: string; step: string; detail: string }) => `${s.partnerName.split('-')[0]}:${s.step}${s.step === 'pressed' ? `:${s.detail}` : ''}`);
    expect(steps).toEqual(expect.arrayContaining([':holding', 'busy:dialled', 'busy:busy', 'busy:refused', 'taker:dialled', 'taker:ringing', 'taker:answered', 'taker:answered_by', 'taker:pressed:1', 'taker:connected', 'taker:charged']));
    expect(steps.indexOf('busy:refused')).toBeLessThan(steps.indexOf('taker:dialled'));

    const history = await api.request('GET', `/leads/${leadId}/history`, { key: agentKey });
    const types = JSON.stringify(history.body);
    for (const t of ['transfer_dialled', 'transfer_busy', 'transfer_pressed', 'transfer_charged', 'delivery_accepted']) expect(types).toContain(t);
  });

  it('counts a machine as a failed attempt and ends, saying why, when every partner declines or presses nothing', async () => {
    const { leadId, phones } = await transferLead([['machine', { answer: 'machine' }], ['declines', { answer: 'human', press: '2' }], ['silent', { answer: 'human', press: '' }]]);
    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);

    const lead = await leadIn(leadId, 'declined_everywhere');
    expect(lead.reason).toMatch(/no partner took the call: machine-\S+: answering machine \(machine_start\); declines-\S+: pressed 2; silent-\S+: hung up without pressing a key/);
    expect(lead.deliveries.map((d: { status: string }) => d.status)).toEqual(['failed', 'declined', 'declined']);
    expect(await charges(leadId)).toEqual([]);
    // The machine was hung up on rather than whispered to.
    expect(callTo(phones.machine!).heard).toEqual([]);
    expect(callTo(phones.machine!).status).toBe('completed');
    expect(callTo(phones.declines!).pressed).toEqual(['2']);
    expect(callTo(phones.declines!).conference).toBeUndefined();
    const transfer = await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey });
    expect(transfer.body.status).toBe('exhausted');
  });

  it('busy, no answer, machine, 2, then 1: exactly one charge, to the fifth, once connected for its billable minimum', async () => {
    const { leadId, phones, distribution } = await transferLead([
      ['busy', { answer: 'busy' }], ['unanswered', { answer: 'no-answer' }], ['machine', { answer: 'machine' }],
      ['declines', { answer: 'human', press: '2' }], ['taker', { answer: 'human', press: '1' }],
    ], { unanswered: { ringTimeoutSeconds: 5, minBillableSeconds: 0 }, taker: { ringTimeoutSeconds: 20, minBillableSeconds: 3 } });
    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);

    const lead = await leadIn(leadId, 'delivered');
    expect(lead.deliveries.map((d: { status: string; reason: string | null }) => `${d.status}: ${d.reason}`)).toEqual([
      'failed: busy', 'failed: no-answer', 'failed: answering machine (machine_start)', 'declined: pressed 2', 'accepted: null',
    ]);
    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.taker!.id, amountMinor: 25_04 }]);
    for (const name of Object.keys(phones)) expect(dialled(phones[name]!)).toHaveLength(1);
    expect(dialled(phones.unanswered!)[0]!.form.Timeout).toBe('5');

    // Charged only after the call had been connected for 3 s.
    const steps: Array<{ at: string; step: string; partnerName: string }> = (await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body.steps;
    const at = (step: string) => Date.parse(steps.find((s) => s.partnerName.startsWith('taker') && s.step === step)!.at);
    expect(at('charged') - at('connected')).toBeGreaterThanOrEqual(3_000);
  });

  it('does not charge a partner that hangs up before its billable minimum, and passes the consumer to the next', async () => {
    const { leadId, phones, distribution } = await transferLead([['short', { answer: 'human', press: '1', hangUpAfterMs: 1_000 }], ['stays', { answer: 'human', press: '1' }]],
      { short: { ringTimeoutSeconds: 20, minBillableSeconds: 4 }, stays: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
    const consumer = consumerCall();
    expect((await pressTransfer(leadId, consumer)).status).toBe(202);

    const lead = await leadIn(leadId, 'delivered');
    expect(lead.deliveries.map((d: { status: string }) => d.status)).toEqual(['declined', 'accepted']);
    expect(lead.deliveries[0].reason).toMatch(/connected \d+ s, under the 4 s billable minimum/);
    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.stays!.id, amountMinor: 25_01 }]);
    expect(callTo(phones.short!).status).toBe('completed');
    expect(callTo(phones.stays!).conference).toBe(`lead-${leadId}`);
    expect(sim.calls.get(consumer)!.status).toBe('in-progress');
  });

  it('stops everything when the consumer hangs up mid-transfer: the ringing partner is hung up on, its hold released, nobody else rung', async () => {
    const { leadId, phones } = await transferLead([['slow', { answer: 'human', afterMs: 15_000, press: '1' }], ['next', { answer: 'human', press: '1' }]]);
    const consumer = consumerCall();
    expect((await pressTransfer(leadId, consumer)).status).toBe(202);
    await eventually(async () => {
      const r = await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey });
      return r.body.steps.some((s: { step: string }) => s.step === 'ringing') || undefined;
    });
    await sim.hangUp(consumer);

    const lead = await leadIn(leadId, 'cancelled');
    expect(lead.reason).toBe('the consumer hung up during the transfer');
    expect(lead.deliveries.map((d: { status: string }) => d.status)).toEqual(['withdrawn']);
    expect(await charges(leadId)).toEqual([]);
    expect(callTo(phones.slow!).status).toBe('canceled');
    expect(dialled(phones.next!)).toHaveLength(0);
    const transfer = (await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body;
    expect(transfer.status).toBe('abandoned');
    const history = JSON.stringify((await api.request('GET', `/leads/${leadId}/history`, { key: agentKey })).body);
    expect(history).toContain('delivery_withdrawn');
    expect(history).toContain('transfer_consumer_hung_up');
  });

  it('a lead cancelled while a partner rings: the call is hung up, the hold released, nothing charged', async () => {
    const { leadId, phones } = await transferLead([['slow', { answer: 'human', afterMs: 15_000, press: '1' }], ['next', { answer: 'human', press: '1' }]]);
    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);
    await eventually(async () => (callTo(phones.slow!)?.status === 'ringing' || undefined));
    const cancelled = await api.request('POST', `/leads/${leadId}/cancel`, { key: agentKey, body: { reason: 'consumer changed their mind' } });
    expect(cancelled.status).toBe(200);

    const lead = await leadIn(leadId, 'cancelled');
    expect(lead.deliveries.map((d: { status: string; reason: string }) => `${d.status}: ${d.reason}`)).toEqual(['withdrawn: lead cancelled: consumer changed their mind']);
    expect(callTo(phones.slow!).status).toBe('canceled');
    expect(dialled(phones.next!)).toHaveLength(0);
    expect(await charges(leadId)).toEqual([]);
    expect((await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body.status).toBe('cancelled');
  });

  it("ends the lead, ringing nobody, when the consumer's call is gone before it can be put on hold", async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    expect((await pressTransfer(leadId, 'CA0123456789abcdef0123456789abcdef')).status).toBe(202);
    const lead = await leadIn(leadId, 'cancelled');
    expect(lead.reason).toBe("the consumer's call CA0123456789abcdef0123456789abcdef ended before the transfer");
    expect(dialled(phones.taker!)).toHaveLength(0);
    expect((await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body).toMatchObject({ status: 'abandoned', steps: [expect.objectContaining({ step: 'consumer_gone' })] });
  });

  it('a number Twilio refuses fails that partner only; the next takes the call', async () => {
    const { leadId, distribution, phones } = await transferLead([['bad', { answer: 'human', press: '1' }], ['good', { answer: 'human', press: '1' }]]);
    // A well-formed number Twilio still refuses (21211): its test credentials' magic invalid number.
    await api.request('PATCH', `/partners/${distribution.partners.bad!.id}`, { body: { transferPhone: INVALID_NUMBER } });
    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);

    const lead = await leadIn(leadId, 'delivered');
    expect(lead.deliveries.map((d: { status: string }) => d.status)).toEqual(['failed', 'accepted']);
    const steps = (await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body.steps;
    expect(steps).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'refused', detail: expect.stringMatching(/Twilio refused the call: Invalid 'To' Phone Number: \+15005550001; hold released/) })]));
    expect(await charges(leadId)).toEqual([{ partnerId: distribution.partners.good!.id, amountMinor: 25_01 }]);
    expect(dialled(phones.good!)).toHaveLength(1);
  });

  it("whispers the lead type's own template, filled in from the lead and the partner's offer", async () => {
    const { leadId, phones, distribution } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const path = `/lead-types/${distribution.leadTypeId}/transfer-whisper`;
    const unknown = await api.request('PUT', path, { body: { template: 'A lead from {{county}}' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems).toEqual([{ field: 'body.template', reason: 'unknown variables: county' }]);
    expect((await api.request('GET', path, { key: agentKey })).body.template).toBe('leadrelay transfer: a {{lead.type}} lead is on the line, for {{price}} {{currency}}.');
    expect((await api.request('PUT', path, { body: { template: '{{name}} in {{postcode}} wants solar, for {{partner.name}} at {{price}}.' } })).status).toBe(200);

    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);
    await leadIn(leadId, 'delivered');
    expect(callTo(phones.taker!).heard).toEqual([`Ada in SW1A 1AA wants solar, for ${(await api.request('GET', `/partners/${distribution.partners.taker!.id}`)).body.name} at 25.00.`, 'Press 1 to take the call, or 2 to decline.']);
  });

  it('refuses a callback with a forged signature (403) and ignores a replayed one', async () => {
    const { leadId, phones } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    expect((await pressTransfer(leadId, consumerCall())).status).toBe(202);
    await leadIn(leadId, 'delivered');
    const steps = (await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).body.steps.length;

    const ringing = sim.callbacks.find((c) => c.params.To === phones.taker && c.params.CallStatus === 'ringing')!;
    const path = new URL(ringing.url).pathname + new URL(ringing.url).search;
    const post = (params: Record<string, string>, signature: string) => api.request('POST', path, {
      key: null, rawBody: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });
    const forged = { ...ringing.params, CallStatus: 'busy' };
    expect((await post(forged, twilio.getExpectedTwilioSignature('not-our-auth-token-at-all', ringing.url, forged))).status).toBe(403);
    expect((await post(forged, '')).status).toBe(403);
    expect((await post(ringing.params, twilio.getExpectedTwilioSignature(env.TWILIO_AUTH_TOKEN, ringing.url, ringing.params))).status).toBe(204);

    const after = await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey });
    expect(after.body.steps).toHaveLength(steps);
    expect((await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.status).toBe('delivered');
  });

  it('answers bad input with 400 naming the field, and refuses a lead that is not a transfer lead', async () => {
    const { leadId } = await transferLead([['taker', { answer: 'human', press: '1' }]]);
    const bad = await api.request('POST', `/leads/${leadId}/transfer`, { key: agentKey, body: { consumerCallSid: 'call-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'body.consumerCallSid', reason: expect.stringMatching(/Twilio call SID/) }]);
    const settings = await api.request('PUT', `/partners/${randomUUID()}/transfer-settings`, { body: { ringTimeoutSeconds: 2, minBillableSeconds: -1 } });
    expect(settings.status).toBe(400);
    expect(settings.body.problems.map((p: { field: string }) => p.field)).toEqual(['body.ringTimeoutSeconds', 'body.minBillableSeconds']);
    const missing = await api.request('POST', `/leads/${leadId}/transfer`, { key: agentKey, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.problems.map((p: { field: string }) => p.field)).toEqual(['body.consumerCallSid']);
    expect((await api.request('GET', `/leads/${leadId}/transfer`, { key: agentKey })).status).toBe(404);
    expect((await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.status).toBe('awaiting_referral');

    const manual = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'm', priority: 1 }] });
    const other = await api.request('POST', '/leads', { key: agentKey, body: { leadType: manual.leadTypeName, fields: { name: 'Bo', postcode: 'M1' } } });
    await leadIn(other.body.id, 'awaiting_referral');
    const refused = await pressTransfer(other.body.id, consumerCall());
    expect(refused.status).toBe(409);
    expect(refused.body.message ?? JSON.stringify(refused.body)).toMatch(/does not refer by telephone transfer/);
  });
});
