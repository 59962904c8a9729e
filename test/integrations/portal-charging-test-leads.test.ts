import { randomUUID } from 'node:crypto';
import { configureDistribution } from '../helpers/distribution';
import { useLeadStack } from '../helpers/lead-stack';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('portal-charging');

const inbox = async (address: string) => {
  const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; text: string; to: { address: string }[] }[];
  return all.filter((m) => m.to.some((t) => t.address === address));
};
const charges = (partnerId: string) => stack.api.sql`select lead_id, amount_minor::text as amount from partner_transactions where partner_id = ${partnerId} and kind = 'charge'`;

describe('portal delivery', () => {
  it('puts the lead in the partner portal with an email notice; the window and the charge work as for any channel', async () => {
    const { api } = stack;
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 120, partners: [{ name: 'portal', priority: 1, priceMinor: 700 }] });
    const partnerId = d.partners.portal!.id;
    const email = `portal-${randomUUID().slice(0, 8)}@partners.example`;
    expect((await api.request('PATCH', `/partners/${partnerId}`, { body: { email, delivery: { type: 'portal', notifyByEmail: true } } })).status).toBe(200);

    const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    const key = d.partners.portal!.key;
    const waiting = await eventually(async () => (await api.request('GET', '/portal/leads', { key })).body.items.find((i: { leadId: string; status: string }) => i.leadId === lead.body.id && i.status === 'awaiting_response'));
    expect(waiting.fields).toEqual({ name: 'Ada', postcode: 'N1' });
    const [notice] = await eventually(async () => { const m = await inbox(email); return m.length ? m : undefined; });
    expect(notice!.subject).toBe('A new lead is waiting in your leadrelay portal');

    expect((await api.request('POST', `/portal/leads/${lead.body.id}/accept`, { key })).body).toEqual({ status: 'accepted' });
    expect(await charges(partnerId)).toEqual([{ lead_id: lead.body.id, amount: '-700' }]);
  });
});

describe('when to add the charge', () => {
  it('charges on delivery where the assignment says so, without waiting for an acceptance', async () => {
    const { api } = stack;
    const acking = await stack.receiver('ack');
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 300, partners: [{ name: 'buyer', webhookUrl: acking.url, priority: 1, priceMinor: 900 }] });
    expect((await api.request('PATCH', `/assignments/${d.partners.buyer!.assignmentId}`, { body: { chargeOn: 'delivery' } })).body.chargeOn).toBe('delivery');
    const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    expect(await api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result()).toMatchObject({ status: 'delivered', deliveries: [{ status: 'accepted' }] });
    expect(await charges(d.partners.buyer!.id)).toEqual([{ lead_id: lead.body.id, amount: '-900' }]);
  });
});

describe('test leads', () => {
  it('are delivered for real and marked test, but never charged and never counted against caps', async () => {
    const { api } = stack;
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1, caps: { day: 1 } }] });
    const sent = await api.request('POST', `/profiles/${d.profileId}/test-lead`, { body: { fields: { postcode: 'LS1' } } });
    expect(sent.status).toBe(202);
    const result = await api.temporal.workflow.getHandle(`lead-${sent.body.id}`).result();
    expect(result).toMatchObject({ status: 'delivered', deliveries: [{ status: 'accepted', priceMinor: 0 }] });

    const payload = JSON.parse(receiver.received[0]!.body);
    expect(payload).toMatchObject({ id: sent.body.id, test: true, fields: { name: 'Test name', postcode: 'LS1' }, price: { amountMinor: 0 } });
    expect(await charges(d.partners.buyer!.id)).toEqual([]);
    const capacity = await api.request('GET', `/partners/${d.partners.buyer!.id}/capacity`);
    expect(capacity.body.windows.find((w: { window: string }) => w.window === 'day')).toMatchObject({ counted: 0 });
    const history = await api.request('GET', `/leads/${sent.body.id}/history`);
    expect(history.body.entries.map((e: { summary: string }) => e.summary)).toEqual(expect.arrayContaining([expect.stringMatching(/^test lead sent through profile main/), expect.stringMatching(/^test lead: 1 eligible/)]));
    // A real lead still finds the whole day's cap.
    const real = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    expect((await api.temporal.workflow.getHandle(`lead-${real.body.id}`).result()).status).toBe('delivered');
  });

  it('refuses fields that do not fit the lead type, naming them', async () => {
    const { api } = stack;
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: (await stack.receiver('accept')).url, priority: 1 }] });
    const bad = await api.request('POST', `/profiles/${d.profileId}/test-lead`, { body: { fields: { roofSize: 'big' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field)).toEqual(['body.fields.roofSize']);
    expect((await api.request('POST', `/profiles/${randomUUID()}/test-lead`, { body: {} })).status).toBe(404);
  });
});
