import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

const taskQueue = `intake-${randomUUID()}`;
let api: TestApi;
let worker: RunningWorker;
let receiver: Receiver;
let manual: Distribution;
let agentKey: string;

beforeAll(async () => {
  api = await startApi({ taskQueue });
  worker = await startWorker(api.sql, { taskQueue });
  receiver = await startReceiver('accept');
  manual = await configureDistribution(api, {
    referralMethod: 'manual',
    partners: [
      { name: 'regulated', webhookUrl: receiver.url, priority: 2, rules: [{ conditions: [{ field: 'roofSize', operator: 'gte', value: 20 }] }] },
      { name: 'general', webhookUrl: receiver.url, priority: 1 },
    ],
  });
  agentKey = (await api.request('POST', '/api-keys', { body: { name: 'call centre', role: 'agent' } })).body.key;
});
afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await api.close();
});

const state = (id: string, status: string) =>
  eventually(async () => {
    const r = await api.request('GET', `/leads/${id}`, { key: agentKey });
    return r.body.status === status ? r.body : undefined;
  });

describe('lead intake', () => {
  it("checks fields against the lead type's schema and names every bad field, storing nothing", async () => {
    const idempotencyKey = randomUUID();
    const res = await api.request('POST', '/leads', { key: agentKey, headers: { 'idempotency-key': idempotencyKey }, body: { leadType: manual.leadTypeName, fields: { name: 7, roofSize: 'big', colour: 'red' } } });
    expect(res.status).toBe(400);
    const fields = res.body.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['body.fields.name', 'body.fields.postcode', 'body.fields.roofSize', 'body.fields']));
    const unknownType = await api.request('POST', '/leads', { key: agentKey, body: { leadType: 'no-such-type', fields: {} } });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.problems).toEqual([{ field: 'body.leadType', reason: 'no lead type named no-such-type' }]);
    expect(await api.sql`select id from leads where idempotency_key = ${idempotencyKey}`).toHaveLength(0);
  });

  it('takes leads from an introducer partner, whose key can then see only leads delivered to it', async () => {
    const introducer = manual.partners.general!;
    await api.request('PATCH', `/partners/${introducer.id}`, { body: { type: 'both', introducerLeadTypeIds: [manual.leadTypeId] } });
    const res = await api.request('POST', '/leads', { key: introducer.key, body: { leadType: manual.leadTypeName, fields: { name: 'Lin', postcode: 'M1' } } });
    expect(res.status).toBe(202);
    const [row] = await api.sql`select source, submitted_by from leads where id = ${res.body.id}`;
    expect(row).toEqual({ source: 'partner', submitted_by: `partner:${introducer.id}` });
    expect((await api.request('GET', `/leads/${res.body.id}`, { key: introducer.key })).status).toBe(404);
  });

  it('lists leads filtered by lead type and status', async () => {
    const res = await api.request('POST', '/leads', { key: agentKey, body: { leadType: manual.leadTypeName, fields: { name: 'Kit', postcode: 'B1' } } });
    await state(res.body.id, 'awaiting_referral');
    const list = await api.request('GET', `/leads?leadType=${manual.leadTypeName}&status=awaiting_referral`, { key: agentKey });
    expect(list.status).toBe(200);
    expect(list.body.items.map((l: { id: string }) => l.id)).toContain(res.body.id);
    expect(list.body.items.every((l: { status: string }) => l.status === 'awaiting_referral')).toBe(true);
    expect((await api.request('GET', '/leads?limit=0', { key: agentKey })).body.problems[0].field).toBe('query.limit');
  });
});

describe('manual referral', () => {
  it('waits for an agent, explains why a named partner is not eligible, and delivers to one that is', async () => {
    const res = await api.request('POST', '/leads', { key: agentKey, body: { leadType: manual.leadTypeName, fields: { name: 'Ada', postcode: 'SW1', roofSize: 12 } } });
    await state(res.body.id, 'awaiting_referral');
    expect(receiver.received.filter((r) => r.body.includes(res.body.id))).toHaveLength(0);

    const refused = await api.request('POST', `/leads/${res.body.id}/refer`, { key: agentKey, body: { partnerId: manual.partners.regulated!.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/not eligible: partner_rules/);

    const referred = await api.request('POST', `/leads/${res.body.id}/refer`, { key: agentKey, body: { partnerId: manual.partners.general!.id } });
    expect(referred.status).toBe(200);
    expect(referred.body.partners).toEqual([expect.stringMatching(/^general-/)]);
    const lead = await state(res.body.id, 'delivered');
    expect(lead.deliveries.map((d: { partnerId: string }) => d.partnerId)).toEqual([manual.partners.general!.id]);

    const again = await api.request('POST', `/leads/${res.body.id}/refer`, { key: agentKey, body: {} });
    expect(again.status).toBe(409);

    const mine = await api.request('GET', '/portal/leads', { key: manual.partners.general!.key });
    expect(mine.body.items).toContainEqual(expect.objectContaining({ leadId: res.body.id, leadType: manual.leadTypeName, fields: { name: 'Ada', postcode: 'SW1', roofSize: 12 }, status: 'accepted' }));
    const theirs = await api.request('GET', '/portal/leads', { key: manual.partners.regulated!.key });
    expect(theirs.body.items.map((i: { leadId: string }) => i.leadId)).not.toContain(res.body.id);
  });

  it('is findable in Temporal by lead id, lead type, status and partner', async () => {
    const res = await api.request('POST', '/leads', { key: agentKey, body: { leadType: manual.leadTypeName, fields: { name: 'Bo', postcode: 'L1' } } });
    await state(res.body.id, 'awaiting_referral');
    await api.request('POST', `/leads/${res.body.id}/refer`, { key: agentKey, body: { partnerId: manual.partners.general!.id } });
    await state(res.body.id, 'delivered');
    const query = `LeadId = "${res.body.id}" AND LeadType = "${manual.leadTypeName}" AND LeadStatus = "delivered" AND PartnerIds = "${manual.partners.general!.id}"`;
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of api.temporal.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([`lead-${res.body.id}`]);
  });
});
