import { randomUUID } from 'node:crypto';
import { createSql } from '../../db/client';
import { loadRoutingConfig } from '../../db/routing-config';
import { readSnapshot } from '../../db/transaction';
import { startApi, type TestApi } from '../helpers/api';
import { testEnv } from '../helpers/env';
import { createLeadType, createPartner, keyFor, mortgageFields, problemFields, unique } from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ taskQueue: 'config-distribution' });
});
afterAll(() => api.close());

describe('lead types', () => {
  it('are created with their field schema and referral settings, and listed', async () => {
    const name = unique('solar');
    const res = await api.request('POST', '/lead-types', {
      body: { name, fields: mortgageFields, referralMethod: 'appointment', defaultPriceMinor: 40_00, referralScope: 3, acceptanceWindowSeconds: 3600, fcaRequired: true },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name, referralMethod: 'appointment', defaultPriceMinor: 40_00, referralScope: 3, acceptanceWindowSeconds: 3600, fcaRequired: true });
    expect(res.body.fields).toContainEqual({ name: 'niNumber', type: 'string', required: false, encrypted: true });
    expect((await api.request('GET', '/lead-types')).body.map((t: { name: string }) => t.name)).toContain(name);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a negative default price', { defaultPriceMinor: -1 }, 'body.defaultPriceMinor'],
    ['an unknown referral method', { referralMethod: 'carrier_pigeon' }, 'body.referralMethod'],
    ['an enum field without values', { fields: [{ name: 'product', type: 'enum' }] }, 'body.fields.0.values'],
    ['a field name unusable in templates', { fields: [{ name: 'first name', type: 'string' }] }, 'body.fields.0.name'],
    ['duplicate field names', { fields: [{ name: 'a', type: 'string' }, { name: 'a', type: 'number' }] }, 'body.fields.1.name'],
    ['a referral scope of zero', { referralScope: 0 }, 'body.referralScope'],
  ])('refuse %s', async (_what, override, field) => {
    const res = await api.request('POST', '/lead-types', { body: { name: unique('bad'), referralMethod: 'manual', defaultPriceMinor: 100, ...override } });
    expect(res.status).toBe(400);
    expect(problemFields(res.body)).toContain(field);
  });

  it('refuse a duplicate name with 409', async () => {
    const type = await createLeadType(api);
    expect((await api.request('POST', '/lead-types', { body: { name: type.name, referralMethod: 'manual', defaultPriceMinor: 1 } })).status).toBe(409);
  });
});

describe('profiles and assignments', () => {
  it('refuse rules on encrypted or unknown fields, naming the condition', async () => {
    const type = await createLeadType(api);
    const encrypted = await api.request('POST', '/profiles', {
      body: { leadTypeId: type.id, name: 'p', strategy: 'first_match', rules: [{ conditions: [{ field: 'niNumber', operator: 'is_not_empty' }] }] },
    });
    expect(encrypted.status).toBe(400);
    expect(encrypted.body.problems).toEqual([{ field: 'body.rules.0.conditions.0.field', reason: '"niNumber" is encrypted and can\'t be used in rules' }]);

    const unknown = await api.request('POST', '/profiles', {
      body: { leadTypeId: type.id, name: 'p', strategy: 'first_match', rules: [{ conditions: [{ field: 'zip', operator: 'starts_with', value: '90' }] }] },
    });
    expect(unknown.body.problems).toEqual([{ field: 'body.rules.0.conditions.0.field', reason: 'unknown lead field "zip"' }]);
    expect((await api.request('GET', `/profiles?leadTypeId=${type.id}`)).body).toEqual([]);
  });

  it('refuse an unknown operator, a negative price and a second assignment of the same partner', async () => {
    const type = await createLeadType(api);
    const partner = await createPartner(api);
    const profile = (await api.request('POST', '/profiles', { body: { leadTypeId: type.id, name: 'Residential', strategy: 'send_to_all' } })).body;
    const badOperator = await api.request('POST', `/profiles/${profile.id}/assignments`, {
      body: { partnerId: partner.id, rules: [{ conditions: [{ field: 'postcode', operator: 'sounds_like', value: 'x' }] }] },
    });
    expect(problemFields(badOperator.body)).toEqual(['body.rules.0.conditions.0.operator']);
    const negative = await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: partner.id, priceMinor: -500 } });
    expect(negative.body.problems).toEqual([{ field: 'body.priceMinor', reason: 'priceMinor must not be negative' }]);

    expect((await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: partner.id } })).status).toBe(201);
    expect((await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: partner.id } })).status).toBe(409);
    expect((await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: randomUUID() } })).status).toBe(404);
  });

  it('keep a lead type from dropping or encrypting a field that rules use', async () => {
    const type = await createLeadType(api);
    await api.request('POST', '/profiles', {
      body: { leadTypeId: type.id, name: 'London', strategy: 'first_match', rules: [{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'E' }] }] },
    });
    const fields = mortgageFields.map((f) => (f.name === 'postcode' ? { ...f, encrypted: true } : f));
    const res = await api.request('PATCH', `/lead-types/${type.id}`, { body: { fields } });
    expect(res.status).toBe(400);
    expect(res.body.problems[0]).toEqual({ field: 'body.fields', reason: expect.stringMatching(/profile London.*"postcode" is encrypted/) });
    expect((await api.request('DELETE', `/lead-types/${type.id}`)).status).toBe(409);
  });

  it("can't be changed with an agent key", async () => {
    const type = await createLeadType(api);
    const agent = await keyFor(api, 'agent');
    expect((await api.request('POST', '/profiles', { key: agent, body: { leadTypeId: type.id, name: 'x', strategy: 'first_match' } })).status).toBe(403);
  });
});

describe('the dry run', () => {
  it('explains, for every assignment of every enabled profile, which condition passed or failed and on what value', async () => {
    const type = await createLeadType(api);
    const london = await createPartner(api, { name: unique('London Loans'), schedule: { type: 'always' } });
    const big = await createPartner(api, { name: unique('Big Loans'), status: 'inactive' });
    const profile = (
      await api.request('POST', '/profiles', {
        body: { leadTypeId: type.id, name: 'Remortgages', strategy: 'first_match', rules: [{ conditions: [{ field: 'product', operator: 'equals', value: 'Remortgage' }] }] },
      })
    ).body;
    await api.request('POST', '/profiles', { body: { leadTypeId: type.id, name: 'Switched off', strategy: 'send_to_all', enabled: false } });
    await api.request('POST', `/profiles/${profile.id}/assignments`, {
      body: { partnerId: london.id, priority: 10, priceMinor: 30_00, rules: [{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'E' }] }] },
    });
    await api.request('POST', `/profiles/${profile.id}/assignments`, {
      body: { partnerId: big.id, priority: 5, rules: [{ conditions: [{ field: 'loanAmount', operator: 'gte', value: 500_000 }] }] },
    });

    const res = await api.request('POST', '/dry-run', { body: { leadType: type.name, fields: { name: 'Ada', postcode: 'E14 5AB', loanAmount: 250_000, product: 'Remortgage' } } });
    expect(res.status).toBe(200);
    expect(res.body.profiles).toHaveLength(1);
    const [report] = res.body.profiles;
    expect(report.profileRules.passed).toBe(true);
    expect(report.assignments.map((a: { partnerName: string; eligible: boolean; priceMinor: number }) => [a.partnerName, a.eligible, a.priceMinor])).toEqual([
      [london.name, true, 30_00],
      [big.name, false, 25_00],
    ]);
    const [, bigReport] = report.assignments;
    expect(bigReport.partnerRules.groups[0].conditions).toEqual([{ field: 'loanAmount', operator: 'gte', expected: 500_000, actual: 250_000, passed: false }]);
    expect(bigReport.checks).toContainEqual({ criterion: 'partner_status', passed: false, actual: 'inactive', detail: 'partner is inactive' });
  });

  it('is open to agents, refuses partner keys, and answers 404 for an unknown lead type', async () => {
    const agent = await keyFor(api, 'agent');
    expect((await api.request('POST', '/dry-run', { key: agent, body: { leadType: unique('nothing'), fields: {} } })).status).toBe(404);
    const partner = await createPartner(api);
    const partnerKey = await keyFor(api, 'partner', partner.id);
    expect((await api.request('POST', '/dry-run', { key: partnerKey, body: { leadType: 'x', fields: {} } })).status).toBe(403);
  });
});

describe('the routing snapshot for lead workflows', () => {
  it('holds the lead type, enabled profiles, their assignments best first, and partners, as plain JSON', async () => {
    const type = await createLeadType(api);
    const a = await createPartner(api);
    const b = await createPartner(api);
    const profile = (await api.request('POST', '/profiles', { body: { leadTypeId: type.id, name: 'All', strategy: 'send_to_all', referralScope: 2 } })).body;
    await api.request('POST', '/profiles', { body: { leadTypeId: type.id, name: 'Off', strategy: 'send_to_all', enabled: false } });
    await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: a.id, priority: 1 } });
    await api.request('POST', `/profiles/${profile.id}/assignments`, { body: { partnerId: b.id, priority: 9, caps: { day: 3 } } });

    const config = await loadRoutingConfig(api.sql, type.name.toUpperCase());
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(config?.leadType).toMatchObject({ id: type.id, defaultPriceMinor: 25_00 });
    expect(config?.profiles.map((p) => p.name)).toEqual(['All']);
    expect(config?.profiles[0]?.assignments.map((x) => [x.partner.id, x.priority, x.caps.day])).toEqual([
      [b.id, 9, 3],
      [a.id, 1, null],
    ]);
    expect(await loadRoutingConfig(api.sql, unique('missing'))).toBeUndefined();
  });

  it('is read in one repeatable-read, read-only snapshot', async () => {
    const [isolation, readOnly] = await readSnapshot(api.sql, (tx) => [
      tx`select current_setting('transaction_isolation') as v`,
      tx`select current_setting('transaction_read_only') as v`,
    ] as const);
    expect([isolation, readOnly]).toEqual([[{ v: 'repeatable read' }], [{ v: 'on' }]]);
  });

  it('fails with the failing read, and hands its connection back out of the aborted snapshot', async () => {
    const one = createSql(testEnv().DATABASE_URL, { max: 1 });
    try {
      await expect(readSnapshot(one, (tx) => [tx`select 1`, tx`select 1 / 0`, tx`select 2`] as const)).rejects.toThrow('division by zero');
      expect(await one`select current_setting('transaction_read_only') as v`).toEqual([{ v: 'off' }]);
    } finally {
      await one.end();
    }
  });
});
