import { randomUUID } from 'node:crypto';
import type { TestApi } from '../helpers/api';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { sweepUnstartedLeads } from '../../api/lead-intake';
import { createLogger } from '../../infra/logger';

const stack = useLeadStack('lifecycle');
const receiver = (b: Parameters<typeof stack.receiver>[0]) => stack.receiver(b);
let api: TestApi;
beforeAll(() => { api = stack.api; });

const fields = { name: 'Ada', postcode: 'N1' };
const submit = async (leadType: string, options: { key?: string; idempotencyKey?: string; body?: Record<string, unknown> } = {}) =>
  api.request('POST', '/leads', { key: options.key, headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}, body: { leadType, fields, ...options.body } });
const finished = (id: string) => api.temporal.workflow.getHandle(`lead-${id}`).result();
const status = (id: string, wanted: string) =>
  eventually(async () => {
    const r = await api.request('GET', `/leads/${id}`);
    return r.body.status === wanted ? r.body : undefined;
  });
const runsOf = async (id: string) => {
  const runs: string[] = [];
  for await (const wf of api.temporal.workflow.list({ query: `WorkflowId = "lead-${id}"` })) runs.push(wf.runId);
  return runs;
};

describe('a finished lead is never routed again', () => {
  it('answers a retry with the existing lead after completion, termination and cancellation, starting no second run', async () => {
    const accepting = await receiver('accept');
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: accepting.url, priority: 1 }] });
    const key = randomUUID();
    const first = await submit(d.leadTypeName, { idempotencyKey: key });
    await finished(first.body.id);
    const retried = await submit(d.leadTypeName, { idempotencyKey: key });
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(first.body.id);

    const manual = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'buyer', webhookUrl: accepting.url, priority: 1 }] });
    const terminatedKey = randomUUID();
    const terminated = await submit(manual.leadTypeName, { idempotencyKey: terminatedKey });
    await status(terminated.body.id, 'awaiting_referral');
    await api.temporal.workflow.getHandle(`lead-${terminated.body.id}`).terminate('operator test');
    expect((await submit(manual.leadTypeName, { idempotencyKey: terminatedKey })).body.id).toBe(terminated.body.id);

    const cancelledKey = randomUUID();
    const cancelled = await submit(manual.leadTypeName, { idempotencyKey: cancelledKey });
    await status(cancelled.body.id, 'awaiting_referral');
    expect((await api.request('POST', `/leads/${cancelled.body.id}/cancel`, { body: { reason: 'duplicate of a phone lead' } })).status).toBe(200);
    expect((await submit(manual.leadTypeName, { idempotencyKey: cancelledKey })).body.id).toBe(cancelled.body.id);

    await eventually(async () => ((await runsOf(cancelled.body.id)).length === 1 ? true : undefined));
    for (const id of [first.body.id, terminated.body.id, cancelled.body.id]) expect(await runsOf(id)).toHaveLength(1);
    expect(accepting.uniqueIds()).toEqual([`lead_${first.body.id}_${d.partners.buyer!.id}`]);
  });

  it('keeps Idempotency-Keys per submitter, and refuses a key reused with another request', async () => {
    const d = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
    const agentKey = (await api.request('POST', '/api-keys', { body: { name: 'agent', role: 'agent' } })).body.key;
    const key = randomUUID();
    const mine = await submit(d.leadTypeName, { idempotencyKey: key });
    const theirs = await submit(d.leadTypeName, { idempotencyKey: key, key: agentKey });
    expect(theirs.body.id).not.toBe(mine.body.id);

    const reused = await submit(d.leadTypeName, { idempotencyKey: key, body: { fields: { name: 'Someone else', postcode: 'E1' } } });
    expect(reused.status).toBe(422);
    expect(reused.body.message).toBe(`Idempotency-Key ${key} was used for lead ${mine.body.id} with a different request; use a new key for a new lead`);
    const [count] = await api.sql`select count(*)::int as n from leads where idempotency_key = ${key}`;
    expect(count!.n).toBe(2);
  });

  it('gives a retried submission the received entry a crash kept from the first, and writes it once', async () => {
    const d = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
    const key = randomUUID();
    const first = await submit(d.leadTypeName, { idempotencyKey: key });
    await status(first.body.id, 'awaiting_referral');
    await api.sql`delete from lead_audit where lead_id = ${first.body.id} and entry_key = 'received'`;

    for (let i = 0; i < 2; i++) expect((await submit(d.leadTypeName, { idempotencyKey: key })).body.id).toBe(first.body.id);
    const received = (await api.request('GET', `/leads/${first.body.id}/history`)).body.entries.filter((e: { type: string }) => e.type === 'lead_received');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ summary: expect.stringMatching(/^lead received from operator:/) });
  });

  it('starts the workflow of a lead stored without one, as after a crash between the insert and the start', async () => {
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
    const id = randomUUID();
    await api.sql`insert into leads (id, lead_type, lead_type_id, fields, source, submitted_by, created_at)
      values (${id}, ${d.leadTypeName}, ${d.leadTypeId}, ${api.sql.json(fields)}, 'api', 'operator:test', now() - interval '2 minutes')`;
    const sweeper = sweepUnstartedLeads(api.sql, api.temporal, stack.worker.taskQueue, createLogger('test', 'silent'), 60_000);
    try {
      expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
      expect((await finished(id)).status).toBe('delivered');
    } finally {
      sweeper.stop();
    }
  });
});

describe("one partner's problem never fails the lead", () => {
  it('falls through a partner whose delivery method was removed, and one deleted, after the lead was judged', async () => {
    const [hanging, accepting, other] = await Promise.all([receiver('hang'), receiver('accept'), receiver('accept')]);
    const d = await configureDistribution(api, {
      partners: [
        { name: 'slow', webhookUrl: hanging.url, priority: 40, maxAttempts: 1, timeoutMs: 1500 },
        { name: 'removed', webhookUrl: other.url, priority: 30 },
        { name: 'deleted', webhookUrl: other.url, priority: 20 },
        { name: 'last', webhookUrl: accepting.url, priority: 10 },
      ],
    });
    const lead = await submit(d.leadTypeName);
    await eventually(async () => (hanging.received.length > 0 ? true : undefined));
    expect((await api.request('PATCH', `/partners/${d.partners.removed!.id}`, { body: { delivery: null } })).status).toBe(200);
    expect((await api.request('DELETE', `/partners/${d.partners.deleted!.id}`)).status).toBe(204);

    const result = await finished(lead.body.id);
    expect(result.status).toBe('delivered');
    const byName = (prefix: string) => result.deliveries.find((x: { partnerName: string }) => x.partnerName.startsWith(prefix));
    expect(byName('slow')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/1 attempts failed/) });
    expect(byName('removed')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/has no delivery method/) });
    expect(byName('deleted')?.status).toMatch(/^(denied|failed)$/);
    expect(byName('last')).toMatchObject({ status: 'accepted' });
    expect(other.received).toHaveLength(0);
  });

  it('ends a lead whose acceptance window is longer than a hold may last with every offer failed and the reason, not a failed workflow', async () => {
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 30 * 86400, partners: [{ name: 'buyer', webhookUrl: (await receiver('ack')).url, priority: 1 }] });
    const result = await finished((await submit(d.leadTypeName)).body.id);
    expect(result.status).toBe('declined_everywhere');
    expect(result.deliveries[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/holdSeconds/) });
  });
});

describe('reading a lead while its first offer is in flight', () => {
  it('answers within a second from PostgreSQL while the partner is slow to answer its webhook', async () => {
    const slow = await receiver('hang');
    const d = await configureDistribution(api, { partners: [{ name: 'slow', webhookUrl: slow.url, priority: 1, timeoutMs: 6000, maxAttempts: 1 }] });
    const id = (await submit(d.leadTypeName)).body.id;
    await eventually(async () => (slow.received.length > 0 ? true : undefined));
    const asked = Date.now();
    const read = await api.request('GET', `/leads/${id}`);
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(read.body.status).toBe('delivering');
    expect((await finished(id)).status).toBe('declined_everywhere');
    expect((await api.request('GET', `/leads/${id}`)).body).toMatchObject({ status: 'declined_everywhere', reason: expect.stringMatching(/1 attempts failed/) });
  });
});

describe('a partner told "accepted" is always charged', () => {
  it('answers an acceptance only once the charge is on the statement, and shows respondBy while it waits', async () => {
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 120, partners: [{ name: 'buyer', webhookUrl: (await receiver('ack')).url, priority: 1, priceMinor: 1500 }] });
    const id = (await submit(d.leadTypeName)).body.id;
    const waiting = await status(id, 'awaiting_response');
    expect(Date.parse(waiting.deliveries[0].respondBy)).toBeGreaterThan(Date.now());
    const listed = await api.request('GET', `/leads?status=awaiting_response&leadType=${d.leadTypeName}`);
    expect(listed.body.items.map((l: { id: string }) => l.id)).toEqual([id]);

    const accepted = await api.request('POST', `/portal/leads/${id}/accept`, { key: d.partners.buyer!.key });
    expect(accepted.body).toEqual({ status: 'accepted' });
    const [charge] = await api.sql`select amount_minor::text as amount from partner_transactions where partner_id = ${d.partners.buyer!.id} and lead_id = ${id} and kind = 'charge'`;
    expect(charge).toEqual({ amount: '-1500' });
    expect((await api.request('POST', `/portal/leads/${id}/decline`, { key: d.partners.buyer!.key, body: { reason: 'changed my mind' } })).status).toBe(409);
  });
});

describe('cancel', () => {
  it('ends a lead waiting for a referral, and one awaiting an answer: holds released, the partner told', async () => {
    const acking = await receiver('ack');
    const manual = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'buyer', webhookUrl: acking.url, priority: 1 }] });
    const waiting = (await submit(manual.leadTypeName)).body.id;
    await status(waiting, 'awaiting_referral');
    expect((await api.request('POST', `/leads/${waiting}/cancel`, { body: { reason: '' } })).status).toBe(400);
    expect((await api.request('POST', `/leads/${waiting}/cancel`, { body: { reason: 'customer withdrew' } })).body).toEqual({ status: 'cancelled' });
    expect(await finished(waiting)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/customer withdrew/) });

    const windowed = await configureDistribution(api, { acceptanceWindowSeconds: 300, partners: [{ name: 'buyer', webhookUrl: acking.url, priority: 1 }] });
    const offered = (await submit(windowed.leadTypeName)).body.id;
    await status(offered, 'awaiting_response');
    expect((await api.request('POST', `/leads/${offered}/cancel`, { body: { reason: 'sold elsewhere' } })).status).toBe(200);
    const result = await finished(offered);
    expect(result).toMatchObject({ status: 'cancelled', deliveries: [{ status: 'withdrawn' }] });
    const notice = acking.received.find((r) => String(r.headers['webhook-id']) === `lead_${offered}_${windowed.partners.buyer!.id}_withdrawn`);
    expect(JSON.parse(notice!.body)).toEqual({ type: 'lead.withdrawn', leadId: offered, reason: 'sold elsewhere' });
    const capacity = await api.request('GET', `/partners/${windowed.partners.buyer!.id}/capacity`);
    expect(capacity.body.openReservations).toEqual([]);
    expect((await api.request('POST', `/portal/leads/${offered}/accept`, { key: windowed.partners.buyer!.key })).status).toBe(409);
    expect((await api.request('POST', `/leads/${offered}/cancel`, { body: { reason: 'again' } })).status).toBe(409);
  });

  it('expires a lead nobody refers before its lead type deadline', async () => {
    const d = await configureDistribution(api, { referralMethod: 'manual', referralDeadlineSeconds: 2, partners: [{ name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
    expect(await finished((await submit(d.leadTypeName)).body.id)).toMatchObject({ status: 'expired', reason: 'not referred within 2 s' });
  });
});

describe('referral as FLG and Leadflip mean it', () => {
  it('judges a manual referral when it is made: a partner eligible since can be named, one no longer eligible cannot', async () => {
    const [a, b] = await Promise.all([receiver('accept'), receiver('accept')]);
    const d = await configureDistribution(api, { referralMethod: 'manual', referralScope: 2, partners: [{ name: 'early', webhookUrl: a.url, priority: 2 }] });
    const id = (await submit(d.leadTypeName)).body.id;
    await status(id, 'awaiting_referral');

    const later = await configureDistribution(api, { partners: [{ name: 'later', webhookUrl: b.url, priority: 1 }] });
    const laterId = later.partners.later!.id;
    await api.request('POST', `/profiles/${d.profileId}/assignments`, { body: { partnerId: laterId, priority: 1 } });
    await api.request('PATCH', `/partners/${d.partners.early!.id}`, { body: { status: 'inactive' } });

    const refused = await api.request('POST', `/leads/${id}/refer`, { body: { partnerIds: [laterId, d.partners.early!.id] } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`partner ${d.partners.early!.id} is not eligible: partner_status: partner is inactive`);
    const overScope = await api.request('POST', `/leads/${id}/refer`, { body: { partnerIds: [laterId, randomUUID(), randomUUID()] } });
    expect(overScope.body.message).toMatch(/at most 2 partner/);

    expect((await api.request('POST', `/leads/${id}/refer`, { body: { partnerIds: [laterId] } })).status).toBe(200);
    expect(await finished(id)).toMatchObject({ status: 'delivered', deliveries: [{ partnerId: laterId, status: 'accepted' }] });
    const judgements = await api.request('GET', `/leads/${id}/eligibility`);
    expect(judgements.body.judgements).toHaveLength(3);
    const history = await api.request('GET', `/leads/${id}/history`);
    expect(history.body.entries.filter((e: { type: string }) => e.type === 'eligibility_evaluated')).toHaveLength(3);
  });

  it('gives a lead to up to N partners: first match one at a time, send to all at once, and no limit when the scope is unlimited', async () => {
    const rs = await Promise.all([receiver('accept'), receiver('accept'), receiver('accept')]);
    const partners = rs.map((r, i) => ({ name: `p${i}`, webhookUrl: r.url, priority: 10 - i }));
    const firstMatch = await configureDistribution(api, { referralScope: 2, partners });
    const two = await finished((await submit(firstMatch.leadTypeName)).body.id);
    expect(two.deliveries.map((x: { partnerName: string; status: string }) => `${x.partnerName.split('-')[0]}:${x.status}`)).toEqual(['p0:accepted', 'p1:accepted']);

    const everyone = await configureDistribution(api, { strategy: 'send_to_all', referralScope: null, partners });
    const all = await finished((await submit(everyone.leadTypeName)).body.id);
    expect(all.deliveries.filter((x: { status: string }) => x.status === 'accepted')).toHaveLength(3);
  });
});

describe('the audit trail outlives the workflow history', () => {
  it('reads the whole trail from PostgreSQL after Temporal has deleted the workflow', async () => {
    const d = await configureDistribution(api, { partners: [{ name: 'decliner', webhookUrl: (await receiver('decline')).url, priority: 2 }, { name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
    const id = (await submit(d.leadTypeName)).body.id;
    await finished(id);
    const before = await api.request('GET', `/leads/${id}/history`);
    await api.temporal.workflowService.deleteWorkflowExecution({ namespace: api.temporal.options.namespace, workflowExecution: { workflowId: `lead-${id}` } });
    // Deletion is asynchronous on the server.
    await eventually(async () => (await api.temporal.workflow.getHandle(`lead-${id}`).describe().then(() => undefined, () => true)), { timeoutMs: 60_000, intervalMs: 500 });

    const after = await api.request('GET', `/leads/${id}/history`);
    expect(after.body.entries).toEqual(before.body.entries);
    expect(after.body.entries.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining([
      'lead_received', 'eligibility_evaluated', 'capacity_reserved', 'delivery_attempt', 'delivery_declined', 'delivery_accepted', 'lead_finished',
    ]));
    expect((await api.request('GET', `/leads/${id}`)).body.status).toBe('delivered');
  }, 90_000);
});
