import { randomUUID } from 'node:crypto';
import { OPERATOR_EMAIL, type TestApi } from '../helpers/api';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

describe('introducers and the referrer’s side of the story', () => {
  const stack = useLeadStack('introducers');
  let api: TestApi;
  let d: Distribution;
  /** A partner that only introduces, allowed the distribution's lead type. */
  let introducer: { id: string; name: string; key: string };

  beforeAll(async () => {
    api = stack.api;
    const receiver = await stack.receiver('accept');
    d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1 }] });
    const created = await api.request('POST', '/partners', {
      body: { name: `intro-${randomUUID().slice(0, 8)}`, email: 'broker@intro.example', timezone: 'Europe/London', type: 'introducer', introducerLeadTypeIds: [d.leadTypeId] },
    });
    const key = await api.request('POST', '/api-keys', { body: { name: 'introducer', role: 'partner', partnerId: created.body.id } });
    introducer = { id: created.body.id, name: created.body.name, key: key.body.key };
  });

  const introduce = (key: string, leadType = d.leadTypeName) => api.request('POST', '/leads', { key, body: { leadType, fields: { name: 'Noor', postcode: 'LS1' } } });

  it('lets a partner introduce only the lead types it is allowed, and a receiver-only partner none', async () => {
    const other = await configureDistribution(api, { partners: [{ name: 'someone', webhookUrl: (await stack.receiver('accept')).url, priority: 1 }] });
    const refused = await introduce(introducer.key, other.leadTypeName);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`this partner may not introduce ${other.leadTypeName} leads; ask your operator`);
    const receiverOnly = await introduce(d.partners.buyer!.key);
    expect(receiverOnly.status).toBe(403);
    expect(receiverOnly.body.message).toMatch(/receives leads only/);
    expect((await introduce(introducer.key)).status).toBe(202);
  });

  it('never offers a lead to a partner that only introduces, and says so in the eligibility report', async () => {
    await api.request('POST', `/profiles/${d.profileId}/assignments`, { body: { partnerId: introducer.id, priority: 99 } });
    try {
      const dry = await api.request('POST', '/dry-run', { body: { leadType: d.leadTypeName, fields: { name: 'A', postcode: 'N1' } } });
      const row = dry.body.profiles[0].assignments.find((a: { partnerId: string }) => a.partnerId === introducer.id);
      expect(row.eligible).toBe(false);
      expect(row.checks).toContainEqual({ criterion: 'partner_type', passed: false, actual: 'introducer', detail: 'partner only introduces leads' });
    } finally {
      const assignments = await api.request('GET', `/profiles/${d.profileId}/assignments`);
      const mine = assignments.body.find((a: { partnerId: string }) => a.partnerId === introducer.id);
      await api.request('DELETE', `/profiles/${d.profileId}/assignments/${mine.id}`);
    }
  });

  it('shows the introducer how each lead ended and the receiver’s outcome, naming partners only where the lead type allows', async () => {
    const sent = await introduce(introducer.key);
    const leadId = sent.body.id as string;
    expect((await api.temporal.workflow.getHandle(`lead-${leadId}`).result()).status).toBe('delivered');

    const buyerKey = d.partners.buyer!.key;
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const revenueRow = async () => (await api.request('GET', `/reports/revenue?from=${today}&to=${today}&groupBy=partner`))
      .body.rows.find((r: { key: string }) => r.key === d.partners.buyer!.id);
    const ownRow = async () => (await api.request('GET', `/portal/reports?from=${today}&to=${today}&groupBy=leadType`, { key: buyerKey }))
      .body.rows.find((r: { key: string }) => r.key === d.leadTypeId);
    const before = await revenueRow();
    const won = await api.request('POST', `/portal/leads/${leadId}/outcome`, { key: buyerKey, body: { outcome: 'won', valueMinor: 250_000, note: 'signed' } });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ leadId, outcome: 'won', valueMinor: 250_000, note: 'signed' });

    const mine = async () => (await api.request('GET', '/portal/sent', { key: introducer.key })).body.items.find((l: { id: string }) => l.id === leadId);
    expect(await mine()).toMatchObject({ status: 'delivered', deliveries: [{ partnerName: null, status: 'accepted', outcome: 'won' }] });
    await api.request('PATCH', `/lead-types/${d.leadTypeId}`, { body: { introducerSeesPartners: true } });
    expect((await mine()).deliveries[0].partnerName).toMatch(/^buyer-/);

    // The revenue report counts it, dated when reported, for operators and for the receiver.
    const after = await revenueRow();
    expect(after).toMatchObject({ won: before.won + 1, lost: before.lost, wonValueMinor: before.wonValueMinor + 250_000 });
    expect(await ownRow()).toMatchObject({ won: after.won, lost: after.lost, wonValueMinor: after.wonValueMinor });
    const operatorView = await api.request('GET', `/leads/${leadId}`);
    expect(operatorView.body.deliveries[0]).toMatchObject({ outcome: 'won', outcomeValueMinor: 250_000 });
    // Only the receiver changes a referral: the introducer can't report the outcome, nor read the lead.
    expect((await api.request('POST', `/portal/leads/${leadId}/outcome`, { key: introducer.key, body: { outcome: 'lost' } })).status).toBe(404);
    expect((await api.request('GET', '/portal/sent', { key: buyerKey })).body.items).toEqual([]);
  });

  it('takes an outcome only on an accepted lead, and refuses bad ones naming the field', async () => {
    const declining = await stack.receiver('decline');
    const other = await configureDistribution(api, { partners: [{ name: 'decliner', webhookUrl: declining.url, priority: 1 }] });
    const lead = await api.request('POST', '/leads', { body: { leadType: other.leadTypeName, fields: { name: 'Kit', postcode: 'E1' } } });
    await api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result();
    const key = other.partners.decliner!.key;
    const refused = await api.request('POST', `/portal/leads/${lead.body.id}/outcome`, { key, body: { outcome: 'won' } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('only an accepted lead takes an outcome; your delivery is declined');
    const bad = await api.request('POST', `/portal/leads/${lead.body.id}/outcome`, { key, body: { outcome: 'maybe', valueMinor: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field)).toEqual(['body.outcome', 'body.valueMinor']);
  });

  it('refuses an introducer permission for a lead type that does not exist', async () => {
    const missing = randomUUID();
    const res = await api.request('PATCH', `/partners/${introducer.id}`, { body: { introducerLeadTypeIds: [d.leadTypeId, missing] } });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'body.introducerLeadTypeIds.1', reason: `no lead type ${missing}` }]);
  });

  it("emails the operators' nominated address when a partner adds its FCA number", async () => {
    const fcaNumber = String(Date.now()).slice(-7);
    const res = await api.request('PATCH', '/portal/me', { key: introducer.key, body: { fcaNumber } });
    expect(res.status).toBe(200);
    const notice = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; to: { address: string }[] }[];
      return all.find((m) => m.to.some((t) => t.address === OPERATOR_EMAIL) && m.subject.includes(fcaNumber));
    });
    expect(notice.subject).toBe(`leadrelay: ${introducer.name} added FCA number ${fcaNumber}`);
  });
});
