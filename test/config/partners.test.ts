import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { createLeadType, createPartner, problemFields, unique, validPartner } from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ taskQueue: 'config-partners' });
  await createLeadType(api);
});
afterAll(() => api.close());

// Counted by name: other test files create partners in the same database at the same time.
const partnersNamed = async (name: string) => Number((await api.sql`select count(*)::int as n from partners where name = ${name}`)[0]!.n);

describe('creating a partner', () => {
  it('stores every section of the record and returns it', async () => {
    const body = validPartner({ notes: 'met at the expo', transferPhone: '+442071234567', smsNumber: '+447700900111', fcaNumber: '1234567', lowFundsThresholdMinor: 50_00 });
    const res = await api.request('POST', '/partners', { body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: body.name,
      status: 'active',
      timezone: 'Europe/London',
      tags: ['mortgage', 'london'],
      billing: { vatId: 'GB123456789', paymentTermsDays: 14, currency: 'GBP', address: { country: 'GB' } },
      delivery: { type: 'webhook', method: 'POST', url: 'https://acme.example/leads', timeoutMs: 10_000, maxAttempts: 5 },
      caps: { day: 20, week: null, month: 400, lifetime: null },
      schedule: { type: 'weekly', windows: [{ day: 'mon', start: '09:00', end: '17:30' }] },
      creditLimitMinor: 500_00,
      lowFundsThresholdMinor: 50_00,
      fcaNumber: '1234567',
      configVersion: 1,
    });
    expect(res.body.delivery.signingSecret).toMatch(/^whsec_/);
    // The signing secret is shown once, at creation: afterwards it is write-only.
    const { signingSecret: _shownOnce, ...delivery } = res.body.delivery;
    expect((await api.request('GET', `/partners/${res.body.id}`)).body).toEqual({ ...res.body, delivery });
  });

  it('accepts email delivery to several addresses, with templates using lead fields', async () => {
    const res = await api.request('POST', '/partners', {
      body: validPartner({ delivery: { type: 'email', addresses: ['a@acme.example', 'b@acme.example'], subject: 'New lead: {{name}}', bodyTemplate: 'Postcode {{ postcode }}' } }),
    });
    expect(res.status).toBe(201);
    expect(res.body.delivery.addresses).toHaveLength(2);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown field', { colour: 'red' }, 'body', /colour/],
    ['a wrong type', { tags: 'mortgage' }, 'body.tags', /array/],
    ['an invalid email', { email: 'not-an-email' }, 'body.email', /email/],
    ['a phone number not in E.164', { phone: '07700 900123' }, 'body.phone', /E\.164/],
    ['a timezone that is not an IANA name', { timezone: 'GMT+1' }, 'body.timezone', /IANA/],
    ['a made-up timezone', { timezone: 'Europe/Atlantis' }, 'body.timezone', /IANA/],
    [
      'a VAT ID in the wrong format for its country',
      { billing: { ...validPartner().billing, address: { line1: '1 Hauptstr.', city: 'Berlin', postalCode: '10115', country: 'DE' }, vatId: 'DE1234' } },
      'body.billing.vatId',
      /DE VAT ID/,
    ],
    ['a webhook URL that is not http(s)', { delivery: { type: 'webhook', url: 'ftp://acme.example/leads' } }, 'body.delivery.url', /http/],
    ['a template referencing an unknown lead field', { delivery: { type: 'webhook', url: 'https://acme.example', bodyTemplate: '{{surname}}' } }, 'body.delivery.bodyTemplate', /surname/],
    ['an email subject referencing an unknown lead field', { delivery: { type: 'email', addresses: ['a@acme.example'], subject: '{{colour}}' } }, 'body.delivery.subject', /colour/],
    ['an invalid delivery email address', { delivery: { type: 'email', addresses: ['nope'] } }, 'body.delivery.addresses.0', /email/],
    ['a negative cap', { caps: { day: -1 } }, 'body.caps.day', /negative/],
    ['a negative credit limit', { creditLimitMinor: -100 }, 'body.creditLimitMinor', /negative/],
    ['a price-like amount in pounds instead of pence', { creditLimitMinor: 12.5 }, 'body.creditLimitMinor', /minor units/],
    ['a schedule window ending before it starts', { schedule: { type: 'weekly', windows: [{ day: 'mon', start: '18:00', end: '09:00' }] } }, 'body.schedule.windows.0.end', /after start/],
    ['an unknown country', { address: { line1: 'x', city: 'y', postalCode: 'z', country: 'XX' } }, 'body.address.country', /ISO 3166/],
  ])('refuses %s with a 400 naming the field, and saves nothing', async (_what, override, field, reason) => {
    const body = validPartner(override);
    const res = await api.request('POST', '/partners', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.problems).toContainEqual({ field, reason: expect.stringMatching(reason) });
    expect(await partnersNamed(body.name)).toBe(0);
  });

  it('refuses a second partner with the same name, whatever the case, with 409', async () => {
    const first = await createPartner(api);
    const res = await api.request('POST', '/partners', { body: validPartner({ name: first.name.toUpperCase() }) });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/already exists/);
  });
});

describe('changing a partner', () => {
  it('replaces only the sections given and bumps the config version', async () => {
    const partner = await createPartner(api);
    const res = await api.request('PATCH', `/partners/${partner.id}`, { body: { caps: { day: 0 }, tags: ['paused'] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ caps: { day: 0, week: null, month: null, lifetime: null }, tags: ['paused'], email: 'leads@acme.example', configVersion: 2 });
  });

  it('refuses bad input without changing anything', async () => {
    const partner = await createPartner(api);
    const res = await api.request('PATCH', `/partners/${partner.id}`, { body: { email: 'x', timezone: 'Mars/Olympus' } });
    expect(res.status).toBe(400);
    expect(problemFields(res.body)).toEqual(expect.arrayContaining(['body.email', 'body.timezone']));
    expect((await api.request('GET', `/partners/${partner.id}`)).body.configVersion).toBe(1);
  });

  it('answers 404 for an unknown partner and 400 for an id that is not a UUID', async () => {
    expect((await api.request('PATCH', `/partners/${randomUUID()}`, { body: { notes: 'x' } })).status).toBe(404);
    const bad = await api.request('GET', '/partners/42');
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'params.id', reason: 'must be a partner id (UUID)' }]);
  });
});

describe('finding partners', () => {
  const tag = unique('tag').replace(' ', '-');
  let alpha: { id: string; name: string };
  let beta: { id: string; name: string };
  beforeAll(async () => {
    alpha = await createPartner(api, { name: unique('Alpha Finance'), email: 'ops@alpha.example', tags: [tag, 'north'] });
    beta = await createPartner(api, { name: unique('Beta Brokers'), email: 'sales@beta.example', tags: [tag], status: 'inactive' });
  });

  const ids = (body: { items: Array<{ id: string }> }) => body.items.map((p) => p.id);

  it('filters by tag, status, part of the name and part of the email', async () => {
    expect(ids((await api.request('GET', `/partners?tag=${tag}`)).body).sort()).toEqual([alpha.id, beta.id].sort());
    expect(ids((await api.request('GET', `/partners?tag=${tag}&status=inactive`)).body)).toEqual([beta.id]);
    expect(ids((await api.request('GET', `/partners?tag=${tag}&name=alpha`)).body)).toEqual([alpha.id]);
    expect(ids((await api.request('GET', `/partners?tag=${tag}&email=BETA.example`)).body)).toEqual([beta.id]);
    expect((await api.request('GET', `/partners?tag=${tag}`)).body.total).toBe(2);
  });

  it('treats % and _ in a search as plain characters', async () => {
    expect((await api.request('GET', '/partners?name=%25')).body.items).toEqual([]);
  });

  it('refuses an unknown status filter', async () => {
    expect(problemFields((await api.request('GET', '/partners?status=asleep')).body)).toEqual(['query.status']);
  });

  it('activates and deactivates several partners at once, or none when an id is unknown', async () => {
    const on = await api.request('POST', '/partners/bulk-status', { body: { ids: [alpha.id, beta.id], status: 'active' } });
    expect(on.status).toBe(200);
    expect(ids((await api.request('GET', `/partners?tag=${tag}&status=active`)).body)).toHaveLength(2);

    const missing = await api.request('POST', '/partners/bulk-status', { body: { ids: [alpha.id, randomUUID()], status: 'inactive' } });
    expect(missing.status).toBe(404);
    expect(ids((await api.request('GET', `/partners?tag=${tag}&status=active`)).body)).toHaveLength(2);
  });
});

describe('deleting a partner', () => {
  it('works for a partner created by mistake', async () => {
    const partner = await createPartner(api);
    expect((await api.request('DELETE', `/partners/${partner.id}`)).status).toBe(204);
    expect((await api.request('GET', `/partners/${partner.id}`)).status).toBe(404);
  });

  it('is refused with 409 once the partner has delivery history, so it can be set inactive instead', async () => {
    const partner = await createPartner(api);
    const leadId = randomUUID();
    await api.sql`insert into leads (id, lead_type) values (${leadId}, 'mortgage')`;
    await api.sql`insert into deliveries (id, lead_id, partner_id, attempt_key, status, price_minor, currency)
      values (${randomUUID()}, ${leadId}, ${partner.id}, ${`${leadId}:${partner.id}`}, 'delivered', 2500, 'GBP')`;
    const res = await api.request('DELETE', `/partners/${partner.id}`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/inactive/);
    expect((await api.request('GET', `/partners/${partner.id}`)).status).toBe(200);
  });

  it('is refused with 409 naming them while the partner has statement transactions, whose books it would take along', async () => {
    const partner = await createPartner(api);
    await api.sql`insert into partner_transactions (partner_id, seq, txn_key, kind, amount_minor, balance_minor, currency, description, occurred_at)
      values (${partner.id}, 1, 'payment:first', 'payment', 5000, 5000, 'GBP', 'first payment', now())`;
    const res = await api.request('DELETE', `/partners/${partner.id}`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/has 0 deliveries and 1 statement transactions/);
    expect(await api.sql`select 1 from partner_transactions where partner_id = ${partner.id}`).toHaveLength(1);
  });
});

describe('partner self sign-up', () => {
  it('needs no key, creates a pending partner, and an operator activates it', async () => {
    const name = unique('Self Signed Ltd');
    const res = await api.request('POST', '/signup/partners', { key: null, body: { name, email: 'hello@selfsigned.example', timezone: 'Europe/Dublin' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    expect((await api.request('GET', `/partners?name=${encodeURIComponent(name)}&status=pending`)).body.total).toBe(1);

    const activated = await api.request('PATCH', `/partners/${res.body.id}`, { body: { status: 'active' } });
    expect(activated.body.status).toBe('active');
  });

  it('cannot choose its own status or caps', async () => {
    const res = await api.request('POST', '/signup/partners', {
      key: null,
      body: { name: unique('Sneaky'), email: 's@sneaky.example', timezone: 'Europe/London', status: 'active', caps: { day: 1000 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.problems[0]).toEqual({ field: 'body', reason: expect.stringMatching(/status.*caps|caps.*status/) });
  });
});
