import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { testEnv } from '../helpers/env';
import { eventually } from '../helpers/wait';
import { createPartner, keyFor, problemFields } from '../config/fixtures';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { fakeTwilio, reserveRequest, settle, startPartnerWorkflow, testNotifier } from './fixtures';

const SMS_URL = new URL('/twilio/sms', testEnv().PUBLIC_URL).toString();
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('capacity through the API: live state, pause and resume, payments, statements, SMS', () => {
  const taskQueue = `capacity-api-${randomUUID()}`;
  const twilioFake = fakeTwilio();
  let api: TestApi;
  let worker: RunningWorker;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue, notifier: testNotifier(twilioFake) });
  });
  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  const sms = (from: string, body: string, signature?: string) => {
    const params = { From: from, To: testEnv().TWILIO_FROM_NUMBER, Body: body, MessageSid: `SM${randomUUID().replace(/-/g, '')}` };
    return api.request('POST', '/twilio/sms', {
      key: null,
      rawBody: form(params),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? twilio.getExpectedTwilioSignature(testEnv().TWILIO_AUTH_TOKEN, SMS_URL, params) },
    });
  };

  it('an SMS with a bad signature is refused with 403 and changes nothing', async () => {
    const smsNumber = `+4477009${String(Date.now()).slice(-5)}`;
    const partner = await createPartner(api, { smsNumber, schedule: { type: 'always' } });
    const res = await sms(smsNumber, 'LEADS OFF', 'bm90IGEgc2lnbmF0dXJl');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'bad_signature' });
    expect((await api.request('GET', `/partners/${partner.id}/capacity`)).body).toMatchObject({ paused: false, pause: null });
  });

  it('LEADS OFF by SMS pauses deliveries and replies with TwiML; LEADS ON resumes them', async () => {
    const smsNumber = `+4477008${String(Date.now()).slice(-5)}`;
    const partner = await createPartner(api, { smsNumber, schedule: { type: 'always' }, caps: {} });
    const off = await sms(smsNumber, ' leads off ');
    expect(off.status).toBe(200);
    expect(off.headers.get('content-type')).toContain('text/xml');
    expect(off.body).toContain('<Response><Message>leadrelay: lead deliveries are OFF');
    expect((await api.request('GET', `/partners/${partner.id}/capacity`)).body).toMatchObject({ paused: true, pause: { by: 'sms' } });
    const partners = partnerCapacityClient(api.temporal, taskQueue);
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: false, reason: 'paused', detail: expect.stringContaining('paused by sms') });

    const on = await sms(smsNumber, 'LEADS ON');
    expect(on.body).toContain('lead deliveries are ON');
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
  });

  it('the partner goes offline and online from the portal; the operator can pause too', async () => {
    const partner = await createPartner(api, { schedule: { type: 'always' } });
    const key = await keyFor(api, 'partner', partner.id);
    const offline = await api.request('PUT', '/portal/status', { key, body: { status: 'offline' } });
    expect(offline.status).toBe(200);
    expect(offline.body).toMatchObject({ partnerId: partner.id, paused: true, pause: { by: 'portal' } });
    expect((await api.request('PUT', '/portal/status', { key, body: { status: 'away' } })).body.problems).toEqual([expect.objectContaining({ field: 'body.status' })]);
    expect((await api.request('PUT', '/portal/status', { key, body: { status: 'online' } })).body).toMatchObject({ paused: false });
    expect((await api.request('PUT', `/partners/${partner.id}/delivery-status`, { body: { status: 'offline' } })).body).toMatchObject({ paused: true, pause: { by: 'operator' } });
  });

  it('a cap or credit change made through the API reaches the running workflow', async () => {
    const partner = await createPartner(api, { schedule: { type: 'always' }, caps: { day: 1 }, creditLimitMinor: 100_00 });
    const partners = partnerCapacityClient(api.temporal, taskQueue);
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: false, reason: 'cap_full', window: 'day' });
    expect((await api.request('PATCH', `/partners/${partner.id}`, { body: { caps: { day: 5 } } })).status).toBe(200);
    const live = await eventually(async () => {
      const body = (await api.request('GET', `/partners/${partner.id}/capacity`)).body;
      return body.windows[0].cap === 5 ? body : undefined;
    });
    expect(live.windows[0]).toMatchObject({ window: 'day', cap: 5, held: 1, remaining: 4 });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
  });

  it("answers from the ledger within seconds when the partner's workflow has no worker to answer for it", async () => {
    const partner = await createPartner(api, { schedule: { type: 'always' }, caps: { day: 3 } });
    await startPartnerWorkflow(api.temporal, `nobody-polls-${randomUUID()}`, partner.id);
    const asked = Date.now();
    const res = await api.request('GET', `/partners/${partner.id}/capacity`);
    expect(res.status).toBe(200);
    expect(res.body.windows[0]).toMatchObject({ window: 'day', cap: 3, remaining: 3 });
    expect(Date.now() - asked).toBeLessThan(10_000);
  });

  it('payments and charges make a statement with a running balance; a partner sees only its own; low funds alert once by email and SMS', async () => {
    const smsNumber = `+4477007${String(Date.now()).slice(-5)}`;
    const email = `low-${randomUUID().slice(0, 8)}@partner.example`;
    const partner = await createPartner(api, { email, smsNumber, schedule: { type: 'always' }, creditLimitMinor: 0, lowFundsThresholdMinor: 15_00 });
    const other = await createPartner(api, { schedule: { type: 'always' } });
    const paid = await api.request('POST', `/partners/${partner.id}/payments`, { body: { amountMinor: 30_00, description: 'bank transfer', paymentId: 'tx-1' } });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ kind: 'payment', amountMinor: 30_00, balanceMinor: 30_00, description: 'bank transfer' });
    expect((await api.request('POST', `/partners/${partner.id}/payments`, { body: { amountMinor: 30_00, paymentId: 'tx-1' } })).body).toMatchObject({ seq: paid.body.seq });
    const bad = await api.request('POST', `/partners/${partner.id}/payments`, { body: { amountMinor: -5 } });
    expect(bad.status).toBe(400);
    expect(problemFields(bad.body)).toEqual(['body.amountMinor']);

    const partners = partnerCapacityClient(api.temporal, taskQueue);
    for (let i = 0; i < 2; i++) {
      const r = reserveRequest(partner.id, { priceMinor: 10_00 });
      expect(await partners.reserve(r)).toMatchObject({ granted: true });
      await partners.commit({ ...settle(r), priceMinor: 10_00 });
    }
    expect(await partners.reserve(reserveRequest(partner.id, { priceMinor: 10_01 }))).toMatchObject({ granted: false, reason: 'credit_exhausted' });

    const statement = await eventually(async () => {
      const body = (await api.request('GET', `/partners/${partner.id}/statement`)).body;
      return body.total === 3 ? body : undefined;
    });
    expect(statement.items.map((t: { kind: string; amountMinor: number; balanceMinor: number }) => [t.kind, t.amountMinor, t.balanceMinor])).toEqual([
      ['payment', 30_00, 30_00],
      ['charge', -10_00, 20_00],
      ['charge', -10_00, 10_00],
    ]);
    const own = await api.request('GET', '/portal/statement', { key: await keyFor(api, 'partner', partner.id) });
    expect(own.body).toEqual(statement);
    expect((await api.request('GET', '/portal/statement', { key: await keyFor(api, 'partner', other.id) })).body).toMatchObject({ total: 0, items: [] });

    // Funds fell from 20.00 to 10.00, past the 15.00 threshold: one email and one text.
    const sent = await eventually(async () => (twilioFake.requests.some((r) => r.data.To === smsNumber) ? twilioFake.requests.filter((r) => r.data.To === smsNumber) : undefined));
    expect(sent).toEqual([expect.objectContaining({ uri: expect.stringContaining('/Messages.json'), data: expect.objectContaining({ From: testEnv().TWILIO_FROM_NUMBER, Body: expect.stringContaining('10.00') }) })]);
    const mails = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as Array<{ to: Array<{ address: string }>; subject: string }>;
      const mine = all.filter((m) => m.to.some((t) => t.address === email));
      return mine.length > 0 ? mine : undefined;
    });
    expect(mails).toEqual([expect.objectContaining({ subject: 'leadrelay: your funds are running low' })]);
  });
});
