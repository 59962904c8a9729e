import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { returnWorkflowId } from '../../domain/returns';

const POLICY = { windowHours: 48, reasons: [{ reason: 'not_interested' }, { reason: 'wrong_number' }], autoApprove: { withinHours: 24, reasons: ['wrong_number'] } };

describe('an approved return offers the lead to the next partner, when its lead type says so', () => {
  const stack = useLeadStack('reoffer');

  const setUp = async (reofferReturnedLeads: boolean) => {
    const [a, b, c] = await Promise.all([stack.receiver('accept'), stack.receiver('ack'), stack.receiver('ack')]);
    const d = await configureDistribution(stack.api, {
      acceptanceWindowSeconds: 600,
      partners: [
        { name: 'first', webhookUrl: a.url, priority: 30, priceMinor: 25_00 },
        { name: 'second', webhookUrl: b.url, priority: 20, priceMinor: 18_00 },
        { name: 'third', webhookUrl: c.url, priority: 10, priceMinor: 12_00 },
      ],
    });
    expect((await stack.api.request('GET', `/lead-types/${d.leadTypeId}`)).body.reofferReturnedLeads).toBe(false);
    const patched = await stack.api.request('PATCH', `/lead-types/${d.leadTypeId}`, { body: { reofferReturnedLeads } });
    expect(patched.body).toMatchObject({ reofferReturnedLeads });
    expect((await stack.api.request('PUT', `/partners/${d.partners.first!.id}/return-policy`, { body: POLICY })).status).toBe(200);
    const leadId = await submit(d);
    await eventually(async () => (await chargeOf(d, 'first', leadId)) ?? undefined);
    return { d, a, b, c, leadId };
  };
  const submit = async (d: Distribution) => {
    const res = await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const statement = async (d: Distribution, partner: string) => (await stack.api.request('GET', `/partners/${d.partners[partner]!.id}/statement`)).body;
  const chargeOf = async (d: Distribution, partner: string, leadId: string) =>
    (await statement(d, partner)).items.find((t: any) => t.leadId === leadId && t.kind === 'charge') as { amountMinor: number } | undefined;
  const sawLead = (r: { received: { body: string }[] }, leadId: string) => r.received.some((w) => w.body.includes(leadId));

  it('a returned lead, once approved, goes to the next partner in the order that has not had it, which is charged its price', async () => {
    const { d, b, c, leadId } = await setUp(true);
    const returned = await stack.api.request('POST', `/portal/leads/${leadId}/return`, { key: d.partners.first!.key, body: { reason: 'not_interested' } });
    expect(returned.body).toMatchObject({ status: 'pending' });
    expect(sawLead(b, leadId)).toBe(false);

    const approved = await stack.api.request('POST', `/returns/${returned.body.id}/decision`, { body: { decision: 'approve', note: 'customer unreachable' } });
    expect(approved.body).toMatchObject({ status: 'approved' });
    await eventually(async () => sawLead(b, leadId) || undefined, { timeoutMs: 60_000 });

    // The second partner answers within the acceptance window, in its portal, as for any lead.
    const accepted = await eventually(async () => {
      const res = await stack.api.request('POST', `/portal/leads/${leadId}/accept`, { key: d.partners.second!.key });
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 60_000 });
    expect(accepted.body).toEqual({ status: 'accepted' });
    expect(await chargeOf(d, 'second', leadId)).toMatchObject({ amountMinor: -18_00 });
    expect(sawLead(c, leadId)).toBe(false);
    expect(await chargeOf(d, 'third', leadId)).toBeUndefined();

    const history = await eventually(async () => {
      const h = (await stack.api.request('GET', `/leads/${leadId}/history`)).body.entries as { type: string; summary: string }[];
      return h.some((e) => e.type === 'reoffer_status' && e.summary.includes('delivered')) ? h : undefined;
    });
    expect(history.map((e) => e.summary)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^returned by first-\w+ \(not_interested\), approved by test operator: offered to the next eligible partner/),
      expect.stringMatching(/^re-offer 1: 2 eligible partner\(s\) \(second-\w+, third-\w+\); strategy first_match, scope 1/),
      expect.stringMatching(/^re-offer 1: delivered \(accepted by second-\w+\)$/),
    ]));
    const lead = (await stack.api.request('GET', `/leads/${leadId}`)).body;
    expect(lead.status).toBe('delivered');
  });

  it('a returned lead with no other eligible partner says so in its history, and nobody is charged again', async () => {
    const only = await stack.receiver('accept');
    const d = await configureDistribution(stack.api, { partners: [{ name: 'only', webhookUrl: only.url, priority: 1, priceMinor: 9_00 }] });
    await stack.api.request('PATCH', `/lead-types/${d.leadTypeId}`, { body: { reofferReturnedLeads: true } });
    await stack.api.request('PUT', `/partners/${d.partners.only!.id}/return-policy`, { body: POLICY });
    const leadId = await submit(d);
    await eventually(async () => (await chargeOf(d, 'only', leadId)) ?? undefined);
    const returned = await stack.api.request('POST', `/portal/leads/${leadId}/return`, { key: d.partners.only!.key, body: { reason: 'wrong_number' } });
    expect(returned.body).toMatchObject({ status: 'approved' });

    const reoffer = await eventually(() => stack.api.temporal.workflow.getHandle(`reoffer-${leadId}-1`).result(), { timeoutMs: 60_000 });
    expect(reoffer).toMatchObject({ status: 'no_eligible_partner', deliveries: [] });
    const history = (await stack.api.request('GET', `/leads/${leadId}/history`)).body.entries as { summary: string }[];
    expect(history.map((e) => e.summary)).toContain('re-offer 1: no_eligible_partner (no eligible partner that has not had the lead)');
    expect(only.uniqueIds()).toHaveLength(1);
    expect((await statement(d, 'only')).balanceMinor).toBe(0);
  });

  it('with the setting off, an approved return credits the partner and nobody else receives the lead', async () => {
    const { d, b, c, leadId } = await setUp(false);
    const returned = await stack.api.request('POST', `/portal/leads/${leadId}/return`, { key: d.partners.first!.key, body: { reason: 'wrong_number' } });
    expect(returned.body).toMatchObject({ status: 'approved' });
    expect(await stack.api.temporal.workflow.getHandle(returnWorkflowId(returned.body.id)).result()).toBe('approved');

    await expect(stack.api.temporal.workflow.getHandle(`reoffer-${leadId}-1`).describe()).rejects.toThrow(/not found/i);
    expect(sawLead(b, leadId) || sawLead(c, leadId)).toBe(false);
    expect(await chargeOf(d, 'second', leadId)).toBeUndefined();
    const history = (await stack.api.request('GET', `/leads/${leadId}/history`)).body.entries as { type: string }[];
    expect(history.some((e) => e.type.startsWith('reoffer'))).toBe(false);
  });
});
