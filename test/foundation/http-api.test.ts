import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';

let api: TestApi;
beforeAll(async () => { api = await startApi({ taskQueue: 'unused-by-these-tests' }); });
afterAll(() => api.close());

// Other test files add leads at the same time, so a refused request is traced by its own Idempotency-Key.
const storedWithKey = async (key: string) => Number((await api.sql`select count(*)::int as n from leads where idempotency_key = ${key}`)[0]!.n);

describe('the HTTP API', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await api.request('GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'no route for GET /no/such/route' });
  });

  it('answers malformed JSON with a 400 that says so, and stores nothing', async () => {
    const key = randomUUID();
    const res = await api.request('POST', '/leads', { rawBody: '{"leadType": "mortgage",', headers: { 'idempotency-key': key } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
    expect(await storedWithKey(key)).toBe(0);
  });

  it('lists every field that fails its schema, with the reason, and stores nothing', async () => {
    const key = randomUUID();
    const res = await api.request('POST', '/leads', { body: { leadType: 42, fields: 'none', colour: 'red' }, headers: { 'idempotency-key': key } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    const fields = res.body.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['body.leadType', 'body.fields', 'body']));
    expect(res.body.problems.find((p: { field: string }) => p.field === 'body').reason).toMatch(/colour/);
    expect(await storedWithKey(key)).toBe(0);
  });

  it('reports Temporal, PostgreSQL and MinIO reachability on /healthz', async () => {
    const res = await api.request('GET', '/healthz', { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, temporal: { ok: true }, postgres: { ok: true }, objectStore: { ok: true } });
  });

  it('publishes an OpenAPI document built from the request schemas, and an interactive docs page', async () => {
    const doc = await api.request('GET', '/openapi.json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/leads'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateLead' });
    expect(Object.keys(doc.body.components.schemas.CreateLead.properties)).toEqual(expect.arrayContaining(['leadType', 'fields']));
    const page = await fetch(`${api.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });
});
