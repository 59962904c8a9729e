import { randomUUID } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { createPartner, keyFor } from '../config/fixtures';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { reserveRequest, settle } from '../capacity/fixtures';

const stack = useLeadStack('who-sees-what');

const mailsTo = async (address: string) => {
  const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as Array<{ to: Array<{ address: string }>; subject: string }>;
  const mine = all.filter((m) => m.to.some((t) => t.address === address));
  return mine.length > 0 ? mine : undefined;
};

describe('partner keys see their own business only', () => {
  it("shows a partner its own delivery's state and reason, never the lead's, which names the others", async () => {
    const { api } = stack;
    const decliner = await stack.receiver('decline');
    const buyer = await stack.receiver('accept');
    const d = await configureDistribution(api, { partners: [{ name: 'first', webhookUrl: decliner.url, priority: 2 }, { name: 'second', webhookUrl: buyer.url, priority: 1 }] });
    const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Noor', postcode: 'LS1' } } });
    await eventually(async () => ((await api.request('GET', `/leads/${lead.body.id}`)).body.status === 'delivered' ? true : undefined));

    const seenByFirst = await api.request('GET', `/leads/${lead.body.id}`, { key: d.partners.first!.key });
    expect(seenByFirst.body).toMatchObject({ status: 'declined', reason: 'outside our area' });
    expect(seenByFirst.body.deliveries.map((x: { partnerId: string }) => x.partnerId)).toEqual([d.partners.first!.id]);
    expect((await api.request('GET', `/leads/${lead.body.id}`, { key: d.partners.second!.key })).body).toMatchObject({ status: 'accepted', reason: null });
  });

  it("refuses an inactive partner's key with 403, saying why, and takes it back once the partner is active", async () => {
    const { api } = stack;
    const partner = await createPartner(api);
    const key = await keyFor(api, 'partner', partner.id);
    expect((await api.request('GET', '/portal/me', { key })).status).toBe(200);
    await api.request('PATCH', `/partners/${partner.id}`, { body: { status: 'inactive' } });
    const refused = await api.request('GET', '/portal/leads', { key });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('this partner is inactive, so its keys are refused; ask your operator to reactivate it');
    await api.request('PATCH', `/partners/${partner.id}`, { body: { status: 'active' } });
    expect((await api.request('GET', '/portal/leads', { key })).status).toBe(200);
  });

  it('lets a partner awaiting activation read its own status, and nothing else', async () => {
    const { api } = stack;
    const signup = await api.request('POST', '/signup/partners', { key: null, body: { name: `Newco ${randomUUID().slice(0, 8)}`, email: 'hello@newco.example', timezone: 'Europe/London' } });
    const key = await keyFor(api, 'partner', signup.body.id);
    expect((await api.request('GET', '/portal/me', { key })).body.status).toBe('pending');
    const refused = await api.request('GET', '/portal/statement', { key });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/awaiting activation.*may only read GET \/portal\/me/);
  });

  it('keeps the billing currency out of a partner’s hands, and sends alerts to the contacts it sets', async () => {
    const { api } = stack;
    const partner = await createPartner(api, { schedule: { type: 'always' }, creditLimitMinor: 0, lowFundsThresholdMinor: 15_00 });
    const key = await keyFor(api, 'partner', partner.id);
    await api.request('POST', `/partners/${partner.id}/payments`, { body: { amountMinor: 30_00, paymentId: 'opening' } });

    const me = (await api.request('GET', '/portal/me', { key })).body;
    const euros = await api.request('PATCH', '/portal/me', { key, body: { billing: { ...me.billing, currency: 'EUR' } } });
    expect(euros.status).toBe(400);
    expect(euros.body.problems).toEqual([{ field: 'body.billing.currency', reason: 'your billing currency is GBP: prices, credit and statements are kept in it, so only your operator can change it' }]);

    const email = `accounts-${randomUUID().slice(0, 8)}@partner.example`;
    expect((await api.request('PATCH', '/portal/me', { key, body: { email } })).status).toBe(200);
    const partners = partnerCapacityClient(api.temporal, stack.worker.taskQueue);
    const r = reserveRequest(partner.id, { priceMinor: 20_00 });
    expect(await partners.reserve(r)).toMatchObject({ granted: true });
    await partners.commit({ ...settle(r), priceMinor: 20_00 });
    expect(await eventually(() => mailsTo(email))).toEqual([expect.objectContaining({ subject: 'leadrelay: your funds are running low' })]);
  });
});
