import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { TestApi } from '../helpers/api';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('leads');
const receiver = (b: Parameters<typeof stack.receiver>[0]) => stack.receiver(b);
let api: TestApi;
beforeAll(() => { api = stack.api; });

const submit = async (leadTypeName: string, fields: Record<string, unknown> = { name: 'Ada', postcode: 'SW1A 1AA' }) => {
  const res = await api.request('POST', '/leads', { body: { leadType: leadTypeName, fields } });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const finished = (id: string) => api.temporal.workflow.getHandle(`lead-${id}`).result();

describe('first-match waterfall', () => {
  it('falls through a partner answering 500, one timing out and one declining, to the one that accepts; the history tells it all', async () => {
    const [failing, hanging, declining, accepting] = await Promise.all([receiver('fail'), receiver('hang'), receiver('decline'), receiver('accept')]);
    const d = await configureDistribution(api, {
      partners: [
        { name: 'failing', webhookUrl: failing.url, priority: 40, maxAttempts: 2 },
        { name: 'hanging', webhookUrl: hanging.url, priority: 30, maxAttempts: 1, timeoutMs: 500 },
        { name: 'declining', webhookUrl: declining.url, priority: 20 },
        { name: 'accepting', webhookUrl: accepting.url, priority: 10, priceMinor: 2500 },
      ],
    });
    const id = await submit(d.leadTypeName);
    const result = await finished(id);

    expect(result.status).toBe('delivered');
    expect(result.deliveries.map((x: { partnerId: string; status: string }) => [x.partnerId, x.status])).toEqual([
      [d.partners.failing!.id, 'failed'],
      [d.partners.hanging!.id, 'failed'],
      [d.partners.declining!.id, 'declined'],
      [d.partners.accepting!.id, 'accepted'],
    ]);
    expect(failing.received).toHaveLength(2);
    expect(failing.uniqueIds()).toHaveLength(1);
    expect(accepting.received).toHaveLength(1);

    const lead = await api.request('GET', `/leads/${id}`);
    expect(lead.body.status).toBe('delivered');
    expect(lead.body.deliveries.find((x: { partnerId: string }) => x.partnerId === d.partners.accepting!.id)).toMatchObject({ status: 'accepted', priceMinor: 2500 });

    const history = await api.request('GET', `/leads/${id}/history`);
    expect(history.status).toBe(200);
    const types = history.body.entries.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('lead_received');
    expect(types).toEqual(expect.arrayContaining(['eligibility_evaluated', 'capacity_reserved', 'delivery_attempt', 'delivery_failed', 'delivery_declined', 'delivery_accepted', 'lead_finished']));
    const eligibility = history.body.entries.find((e: { type: string }) => e.type === 'eligibility_evaluated');
    const checks = eligibility.detail.eligibility.profiles[0].assignments[0].checks.map((c: { criterion: string }) => c.criterion);
    expect(checks).toEqual(expect.arrayContaining(['profile_rules', 'partner_status', 'partner_rules', 'schedule']));
    const attempts = history.body.entries.filter((e: { type: string }) => e.type === 'delivery_attempt');
    expect(attempts).toHaveLength(5);
    expect(attempts[0].detail).toMatchObject({ ok: false, request: { url: failing.url }, response: { status: 500, body: 'internal error' } });
    expect(attempts[2].detail.error).toMatch(/no answer within 500 ms/);
    expect(history.body.entries.find((e: { type: string }) => e.type === 'delivery_accepted').summary).toMatch(/price 2500/);
    expect(history.body.attempts).toHaveLength(5);
  });

  it('signs every webhook in the Standard Webhooks scheme, with the same webhook-id on every retry', async () => {
    const failing = await receiver('fail');
    const d = await configureDistribution(api, { partners: [{ name: 'retrying', webhookUrl: failing.url, priority: 1, maxAttempts: 3 }] });
    const id = await submit(d.leadTypeName, { name: 'Grace "Amazing" Hopper', postcode: 'EC1' });
    expect((await finished(id)).status).toBe('declined_everywhere');

    expect(failing.received).toHaveLength(3);
    expect(failing.uniqueIds()).toEqual([`lead_${id}_${d.partners.retrying!.id}`]);
    const verifier = new Webhook(d.partners.retrying!.secret);
    for (const hit of failing.received) {
      const payload = verifier.verify(hit.body, hit.headers as Record<string, string>) as { id: string; fields: Record<string, unknown> };
      expect(payload.id).toBe(id);
      expect(payload.fields.name).toBe('Grace "Amazing" Hopper');
    }
    expect(() => new Webhook(`whsec_${Buffer.from('someone else').toString('base64')}`).verify(failing.received[0]!.body, failing.received[0]!.headers as Record<string, string>)).toThrow();
  });

  it('ends with no eligible partner, and says why, when the lead matches no partner rules', async () => {
    const accepting = await receiver('accept');
    const d = await configureDistribution(api, {
      partners: [{ name: 'northern', webhookUrl: accepting.url, priority: 1, rules: [{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'NE' }] }] }],
    });
    const id = await submit(d.leadTypeName, { name: 'Ada', postcode: 'SW1A 1AA' });
    const result = await finished(id);
    expect(result.status).toBe('no_eligible_partner');
    expect(accepting.received).toHaveLength(0);
    const history = await api.request('GET', `/leads/${id}/history`);
    const assignment = history.body.entries.find((e: { type: string }) => e.type === 'eligibility_evaluated').detail.eligibility.profiles[0].assignments[0];
    expect(assignment.partnerRules.groups[0].conditions[0]).toMatchObject({ field: 'postcode', operator: 'starts_with', actual: 'SW1A 1AA', passed: false });
  });
});

describe('acceptance window', () => {
  it('moves on when a partner lets the window expire, and takes an accept through the portal', async () => {
    const [silent, patient] = await Promise.all([receiver('ack'), receiver('ack')]);
    // Long enough for the patient partner to answer on a loaded machine; the silent one still waits it out.
    const d = await configureDistribution(api, {
      acceptanceWindowSeconds: 8,
      partners: [
        { name: 'silent', webhookUrl: silent.url, priority: 2 },
        { name: 'patient', webhookUrl: patient.url, priority: 1 },
      ],
    });
    const id = await submit(d.leadTypeName);
    await eventually(async () => (patient.received.length > 0 ? true : undefined), { timeoutMs: 30_000 });

    const stranger = await api.request('POST', `/portal/leads/${id}/accept`, { key: d.partners.silent!.key });
    expect(stranger.status).toBe(409);
    expect(stranger.body.message).toMatch(/too late/);

    const accepted = await api.request('POST', `/portal/leads/${id}/accept`, { key: d.partners.patient!.key });
    expect(accepted.status).toBe(200);
    const result = await finished(id);
    expect(result.status).toBe('delivered');
    expect(result.deliveries.map((x: { status: string }) => x.status)).toEqual(['expired', 'accepted']);
  });

  it('moves on when a partner declines through the portal, with its reason', async () => {
    const [first, second] = await Promise.all([receiver('ack'), receiver('ack')]);
    const d = await configureDistribution(api, {
      acceptanceWindowSeconds: 30,
      partners: [
        { name: 'first', webhookUrl: first.url, priority: 2 },
        { name: 'second', webhookUrl: second.url, priority: 1 },
      ],
    });
    const id = await submit(d.leadTypeName);
    await eventually(async () => (first.received.length > 0 ? true : undefined));
    const notYours = await api.request('POST', `/portal/leads/${id}/decline`, { key: d.partners.second!.key, body: { reason: 'x' } });
    expect(notYours.status).toBe(404);
    const noReason = await api.request('POST', `/portal/leads/${id}/decline`, { key: d.partners.first!.key, body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.problems[0].field).toBe('body.reason');
    await eventually(async () => {
      const r = await api.request('POST', `/portal/leads/${id}/decline`, { key: d.partners.first!.key, body: { reason: 'already sold' } });
      return r.status === 200 ? r : undefined;
    });
    await eventually(async () => (second.received.length > 0 ? true : undefined));
    await eventually(async () => {
      const r = await api.request('POST', `/portal/leads/${id}/accept`, { key: d.partners.second!.key });
      return r.status === 200 ? r : undefined;
    });
    const result = await finished(id);
    expect(result.deliveries.map((x: { status: string; reason?: string }) => [x.status, x.reason])).toEqual([['declined', 'already sold'], ['accepted', undefined]]);
  });
});

describe('send to all', () => {
  it('delivers to no more partners than the referral scope', async () => {
    const hooks = await Promise.all([receiver('accept'), receiver('accept'), receiver('accept'), receiver('accept')]);
    const d = await configureDistribution(api, {
      strategy: 'send_to_all',
      referralScope: 2,
      partners: hooks.map((h, i) => ({ name: `p${i}`, webhookUrl: h.url, priority: 10 - i })),
    });
    const id = await submit(d.leadTypeName);
    const result = await finished(id);
    expect(result.status).toBe('delivered');
    expect(hooks.map((h) => h.received.length)).toEqual([1, 1, 0, 0]);
  });
});

describe('price lock', () => {
  it('keeps the price of a delivery when the assignment price changes afterwards', async () => {
    const waiting = await receiver('ack');
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 60, partners: [{ name: 'buyer', webhookUrl: waiting.url, priority: 1, priceMinor: 1500 }] });
    const id = await submit(d.leadTypeName);
    await eventually(async () => (waiting.received.length > 0 ? true : undefined));
    const repriced = await api.request('PATCH', `/assignments/${d.partners.buyer!.assignmentId}`, { body: { priceMinor: 9900 } });
    expect(repriced.status).toBe(200);
    await eventually(async () => {
      const r = await api.request('POST', `/portal/leads/${id}/accept`, { key: d.partners.buyer!.key });
      return r.status === 200 ? r : undefined;
    });
    await finished(id);
    const lead = await api.request('GET', `/leads/${id}`);
    expect(lead.body.deliveries[0]).toMatchObject({ status: 'accepted', priceMinor: 1500 });
  });
});
