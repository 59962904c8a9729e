import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { createLeadType, createPartner, problemFields } from '../config/fixtures';
import { freshDatabase } from '../helpers/fresh-database';
import { createSql } from '../../db/client';
import { migrate } from '../../db/migrate';

let api: TestApi;
beforeAll(async () => { api = await startApi({ taskQueue: `bad-input-${randomUUID()}` }); });
afterAll(() => api.close());

describe('bad input gets a clear 4xx naming the field, and changes nothing', () => {
  it('refuses a NUL character in any string, at any depth, before PostgreSQL sees it', async () => {
    const type = await createLeadType(api);
    const lead = await api.request('POST', '/leads', { body: { leadType: type.name, fields: { name: 'A\u0000da', postcode: 'N1' } } });
    expect(lead.status).toBe(400);
    expect(lead.body.problems).toEqual([{ field: 'body.fields.name', reason: 'must not contain NUL (\\u0000) characters' }]);
    const partner = await api.request('POST', '/partners', { body: { name: 'Nul\u0000 Ltd', email: 'a@b.example', timezone: 'Europe/London' } });
    expect(problemFields(partner.body)).toEqual(['body.name']);
    expect((await api.request('GET', `/partners?name=${encodeURIComponent('x\u0000')}`)).body.problems[0].field).toBe('query.name');
    expect(await api.sql`select 1 from partners where name like 'Nul%'`).toHaveLength(0);
  });

  it('refuses a PATCH with nothing in it', async () => {
    const partner = await createPartner(api);
    const res = await api.request('PATCH', `/partners/${partner.id}`, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'body', reason: 'nothing to change: send the fields to update' }]);
  });

  it('refuses a date that is a bare number', async () => {
    const res = await api.request('GET', '/leads?createdBefore=0.5');
    expect(res.status).toBe(400);
    expect(problemFields(res.body)).toEqual(['query.createdBefore']);
    expect((await api.request('GET', '/leads?createdBefore=2026-11-23T09:00:00Z')).status).toBe(200);
  });

  it('answers 405 with Allow for a method a known path does not take', async () => {
    const res = await api.request('PUT', '/leads');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
    expect((await api.request('DELETE', '/no-such-path')).status).toBe(404);
  });

  it("checks a dry run's fields exactly as a lead's", async () => {
    const type = await createLeadType(api);
    const res = await api.request('POST', '/dry-run', { body: { leadType: type.name, fields: { name: 7, colour: 'red' } } });
    expect(res.status).toBe(400);
    expect(problemFields(res.body)).toEqual(expect.arrayContaining(['body.fields.name', 'body.fields.postcode', 'body.fields']));
  });

  it('refuses to revoke the last active operator key', async () => {
    // A database of its own: the shared one has every suite's operator keys.
    const db = await freshDatabase(process.env.DATABASE_URL!);
    const sql = createSql(db.url, { max: 1 });
    await migrate(sql);
    await sql.end();
    const alone = await startApi({ taskQueue: `alone-${randomUUID()}`, databaseUrl: db.url });
    try {
      const [only] = (await alone.request('GET', '/api-keys')).body;
      const last = await alone.request('DELETE', `/api-keys/${only.id}`);
      expect(last.status).toBe(409);
      expect(last.body.message).toMatch(/^this is the last active operator key/);
      await alone.request('POST', '/api-keys', { body: { name: 'second operator', role: 'operator' } });
      expect((await alone.request('DELETE', `/api-keys/${only.id}`)).status).toBe(200);
    } finally {
      await alone.close();
      await db.stop();
    }
  });

  it("turns PostgreSQL's data errors into a 400 saying what it refused, never a 500", async () => {
    const name = `Huge caps ${randomUUID()}`;
    const res = await api.request('POST', '/partners', { body: { name, email: 'a@b.example', timezone: 'Europe/London', caps: { day: 3_000_000_000 } } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_data', message: expect.stringMatching(/out of range for type integer/) });
    expect(await api.sql`select 1 from partners where name = ${name}`).toHaveLength(0);
  });
});
