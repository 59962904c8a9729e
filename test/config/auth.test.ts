import { randomBytes } from 'node:crypto';
import { ensureOperatorKey, hashApiKey } from '../../api/auth';
import { createSql, type Sql } from '../../db/client';
import { migrate } from '../../db/migrate';
import { startApi, type TestApi } from '../helpers/api';
import { testEnv } from '../helpers/env';
import { freshDatabase } from '../helpers/fresh-database';
import { createPartner, keyFor } from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ taskQueue: 'config-auth' });
});
afterAll(() => api.close());

describe('API keys', () => {
  it('refuses a request without a key, or with a malformed, unknown or revoked one, with 401', async () => {
    expect((await api.request('GET', '/partners', { key: null })).status).toBe(401);
    expect((await api.request('GET', '/partners', { key: null, headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await api.request('GET', '/partners', { key: 'lr_not-a-real-key' })).status).toBe(401);

    const issued = await api.request('POST', '/api-keys', { body: { name: 'temp agent', role: 'agent' } });
    expect((await api.request('GET', '/partners', { key: issued.body.key })).status).toBe(200);
    expect((await api.request('DELETE', `/api-keys/${issued.body.id}`)).status).toBe(200);
    const after = await api.request('GET', '/partners', { key: issued.body.key });
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/revoked/);
  });

  it('stores only a hash of each key, and never lists the key itself', async () => {
    const issued = await api.request('POST', '/api-keys', { body: { name: 'hashed', role: 'agent' } });
    const [row] = await api.sql`select key_hash from api_keys where id = ${issued.body.id}`;
    expect(row!.key_hash).toBe(hashApiKey(issued.body.key));
    expect(JSON.stringify(await api.sql`select * from api_keys`)).not.toContain(issued.body.key);
    const listed = await api.request('GET', '/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
  });

  it('binds a partner key to one partner, and refuses a partner id on other roles', async () => {
    expect((await api.request('POST', '/api-keys', { body: { name: 'p', role: 'partner' } })).body.problems).toEqual([
      { field: 'body.partnerId', reason: 'a partner key needs the partner it belongs to' },
    ]);
    const partner = await createPartner(api);
    expect((await api.request('POST', '/api-keys', { body: { name: 'a', role: 'agent', partnerId: partner.id } })).status).toBe(400);
  });
});

describe('roles', () => {
  it("an agent key can read configuration but can't change it", async () => {
    const agent = await keyFor(api, 'agent');
    expect((await api.request('GET', '/lead-types', { key: agent })).status).toBe(200);
    const res = await api.request('POST', '/lead-types', { key: agent, body: { name: 'x', referralMethod: 'manual', defaultPriceMinor: 1 } });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    expect((await api.request('POST', '/api-keys', { key: agent, body: { name: 'me too', role: 'operator' } })).status).toBe(403);
  });

  it("a partner key cannot read or change another partner's record", async () => {
    const mine = await createPartner(api);
    const theirs = await createPartner(api);
    const key = await keyFor(api, 'partner', mine.id);
    expect((await api.request('GET', `/partners/${theirs.id}`, { key })).status).toBe(403);
    expect((await api.request('GET', `/partners?name=${encodeURIComponent(theirs.name)}`, { key })).status).toBe(403);
    expect((await api.request('PATCH', `/partners/${theirs.id}`, { key, body: { email: 'hijack@evil.example' } })).status).toBe(403);
    expect((await api.request('GET', `/partners/${theirs.id}`)).body.email).toBe('leads@acme.example');
  });

  it('a partner key reads and updates its own record, without the internal notes', async () => {
    const partner = await createPartner(api, { notes: 'slow payer, keep an eye on them' });
    const key = await keyFor(api, 'partner', partner.id);
    const me = await api.request('GET', '/portal/me', { key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(partner.id);
    expect(me.body).not.toHaveProperty('notes');

    const updated = await api.request('PATCH', '/portal/me', { key, body: { phone: '+447700900999', fcaNumber: '123456' } });
    expect(updated.status).toBe(200);
    expect(updated.body.phone).toBe('+447700900999');
    const changeFca = await api.request('PATCH', '/portal/me', { key, body: { fcaNumber: '654321' } });
    expect(changeFca.status).toBe(409);
    expect((await api.request('PATCH', '/portal/me', { key, body: { status: 'active' } })).status).toBe(400);
  });

  it('the portal is for partner keys only', async () => {
    expect((await api.request('GET', '/portal/me')).status).toBe(403);
  });
});

describe('the first operator key', () => {
  // A database of its own: revoking every operator key here must not lock out tests running alongside.
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Sql;
  beforeAll(async () => {
    db = await freshDatabase(testEnv().DATABASE_URL);
    sql = createSql(db.url, { max: 2 });
    await migrate(sql);
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await db.stop();
  });

  it('is created on first start, printed once, and stored only as a hash', async () => {
    const printed: string[] = [];
    expect(await ensureOperatorKey(sql, { print: (l) => printed.push(l) })).toBe('created');
    expect(await ensureOperatorKey(sql, { print: (l) => printed.push(l) })).toBe('exists');
    expect(printed).toHaveLength(1);
    const key = /(lr_\S+)/.exec(printed[0]!)![1]!;
    const rows = await sql`select role, key_hash from api_keys`;
    expect(rows).toEqual([{ role: 'operator', key_hash: hashApiKey(key) }]);
  });

  it('can come from LEADRELAY_OPERATOR_KEY instead, without being printed', async () => {
    const envKey = `env-${randomBytes(24).toString('hex')}`;
    const printed: string[] = [];
    expect(await ensureOperatorKey(api.sql, { envKey, print: (l) => printed.push(l) })).toBe('from_env');
    expect(await ensureOperatorKey(api.sql, { envKey, print: (l) => printed.push(l) })).toBe('from_env');
    expect(printed).toEqual([]);
    expect((await api.request('GET', '/api-keys', { key: envKey })).status).toBe(200);
  });
});

describe('the API documentation', () => {
  it('documents the bearer scheme and which routes are public', async () => {
    const doc = (await api.request('GET', '/openapi.json', { key: null })).body;
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/partners'].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/signup/partners'].post.security).toEqual([]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/partners'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreatePartner' });
  });
});
