import { randomUUID } from 'node:crypto';
import { OPERATOR_EMAIL, type TestApi } from '../helpers/api';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

describe('partner self-service', () => {
  const stack = useLeadStack('self-service');
  let api: TestApi;
  let d: Distribution;
  let partner: { id: string; key: string };

  beforeAll(async () => {
    api = stack.api;
    const [receiver, fallback] = await Promise.all([stack.receiver('accept'), stack.receiver('accept')]);
    // The house partner covers N postcodes only, so a lead elsewhere reaches only a self-served partner.
    d = await configureDistribution(api, { partners: [{ name: 'house', webhookUrl: fallback.url, priority: 1, rules: [{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'N' }] }] }] });
    const created = await api.request('POST', '/partners', {
      body: {
        name: `self-${randomUUID().slice(0, 8)}`, email: 'self@partner.example', timezone: 'Europe/London',
        delivery: { type: 'webhook', url: receiver.url, signingSecret: `whsec_${Buffer.from(randomUUID()).toString('base64')}` },
      },
    });
    partner = { id: created.body.id, key: (await api.request('POST', '/api-keys', { body: { name: 'self', role: 'partner', partnerId: created.body.id } })).body.key };
  });

  const route = async (postcode: string) => {
    const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode } } });
    const state = await api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result();
    return state.deliveries.find((x: { status: string }) => x.status === 'accepted')?.partnerId;
  };

  it('lets a partner take a self-service lead type in the areas it chooses, at the default price, telling the operators', async () => {
    expect((await api.request('GET', '/portal/lead-types', { key: partner.key })).body.items.find((t: { leadTypeId: string }) => t.leadTypeId === d.leadTypeId)).toBeUndefined();
    const enabled = await api.request('PATCH', `/lead-types/${d.leadTypeId}`, { body: { selfService: { profileId: d.profileId, areaField: 'postcode' } } });
    expect(enabled.status).toBe(200);

    const taken = await api.request('PUT', `/portal/lead-types/${d.leadTypeId}`, { key: partner.key, body: { areas: ['ls', 'M1'] } });
    expect(taken.status).toBe(200);
    expect(taken.body).toEqual({ leadTypeId: d.leadTypeId, name: d.leadTypeName, priceMinor: 1000, areaField: 'postcode', subscribed: true, areas: ['LS', 'M1'] });
    const listed = await api.request('GET', '/portal/lead-types', { key: partner.key });
    expect(listed.body.items).toContainEqual(taken.body);

    expect(await route('LS1 4AB')).toBe(partner.id);
    expect(await route('N1 9GU')).toBe(d.partners.house!.id);

    const notice = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; to: { address: string }[] }[];
      return all.find((m) => m.to.some((t) => t.address === OPERATOR_EMAIL) && m.subject.includes(`now takes ${d.leadTypeName} leads in LS, M1`));
    });
    expect(notice).toBeDefined();

    expect((await api.request('DELETE', `/portal/lead-types/${d.leadTypeId}`, { key: partner.key })).status).toBe(204);
    expect(await route('LS1 4AB')).toBeUndefined();
    expect((await api.request('DELETE', `/portal/lead-types/${d.leadTypeId}`, { key: partner.key })).status).toBe(404);
  });

  it('refuses what self-service cannot do, naming the field', async () => {
    const notSelfServed = await configureDistribution(api, { partners: [{ name: 'x', webhookUrl: (await stack.receiver('accept')).url, priority: 1 }] });
    expect((await api.request('PUT', `/portal/lead-types/${notSelfServed.leadTypeId}`, { key: partner.key, body: {} })).status).toBe(404);
    const badArea = await api.request('PUT', `/portal/lead-types/${d.leadTypeId}`, { key: partner.key, body: { areas: ['LS<1>'] } });
    expect(badArea.body.problems).toEqual([{ field: 'body.areas.0', reason: 'must be letters, digits, spaces or dashes' }]);
    const badSetting = await api.request('PATCH', `/lead-types/${notSelfServed.leadTypeId}`, { body: { selfService: { profileId: d.profileId, areaField: 'phone' } } });
    expect(badSetting.status).toBe(400);
    expect(badSetting.body.problems.map((p: { field: string }) => p.field)).toEqual(['body.selfService.profileId', 'body.selfService.areaField']);
  });
});
