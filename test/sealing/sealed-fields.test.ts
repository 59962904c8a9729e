import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import type { Receiver } from '../helpers/webhook-receiver';
import { eventually } from '../helpers/wait';
import { FieldSealer, fieldSealerFromEnv } from '../../infra/field-sealing';
import { parseKeyring } from '../../infra/keyring';

const stack = useLeadStack('sealed-fields');

/** Every file under a folder, the database's WAL among them. */
const filesUnder = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));

describe('fields flagged encrypted are sealed at rest', () => {
  let d: Distribution;
  let receiver: Receiver;
  let agentKey: string;
  let revealingAgentKey: string;
  const phone = `+4477009${randomInt(10_000, 99_999)}`;
  let leadId: string;

  beforeAll(async () => {
    const { api } = stack;
    receiver = await stack.receiver('accept');
    d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1 }] });
    agentKey = (await api.request('POST', '/api-keys', { body: { name: 'agent desk 4', role: 'agent' } })).body.key;
    revealingAgentKey = (await api.request('POST', '/api-keys', { body: { name: 'team lead', role: 'agent', reveal: true } })).body.key;
    const res = await api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1 4AP', phone } } });
    expect(res.status).toBe(202);
    leadId = res.body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${leadId}`)).body.status === 'delivered' ? true : undefined));
  });

  it('delivers the phone to the partner in clear, while no table and no database file holds it', async () => {
    expect(receiver.received.some((r) => JSON.parse(r.body).fields.phone === phone)).toBe(true);

    const tables = await stack.api.sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`;
    for (const { name } of tables) {
      const [hit] = await stack.api.sql`select 1 from ${stack.api.sql(name)} t where t::text like ${`%${phone}%`} limit 1`;
      expect({ table: name, holdsPhone: !!hit }).toEqual({ table: name, holdsPhone: false });
    }
    const [stored] = await stack.api.sql<{ phone: unknown }[]>`select fields->'phone' as phone from leads where id = ${leadId}`;
    expect(stored!.phone).toMatchObject({ $sealed: 'v1', kek: 'dev' });

    const dataDir = process.env.LEADRELAY_TEST_PG_DATA;
    if (dataDir) {
      await stack.api.sql`checkpoint`;
      const needle = Buffer.from(phone);
      const holding = filesUnder(dataDir).filter((f) => fs.readFileSync(f).includes(needle));
      expect(holding).toEqual([]);
    }
  });

  it('shows operators and the partner the phone, and agents only its last two digits', async () => {
    const { api } = stack;
    expect((await api.request('GET', `/leads/${leadId}`)).body.fields.phone).toBe(phone);
    const portal = await api.request('GET', '/portal/leads', { key: d.partners.buyer!.key });
    expect(portal.body.items.find((l: { leadId: string }) => l.leadId === leadId).fields.phone).toBe(phone);

    const asAgent = await api.request('GET', `/leads/${leadId}`, { key: agentKey });
    expect(asAgent.body.fields).toEqual({ name: 'Ada', postcode: 'LS1 4AP', phone: `••••••${phone.slice(-2)}` });
    const listed = await api.request('GET', `/leads?leadType=${d.leadTypeName}`, { key: revealingAgentKey });
    expect(listed.body.items[0].fields.phone).toBe(`••••••${phone.slice(-2)}`);
    const history = await api.request('GET', `/leads/${leadId}/history`, { key: agentKey });
    expect(JSON.stringify(history.body)).not.toContain(phone);
    const attempt = (await api.request('GET', `/leads/${leadId}/history`)).body.attempts[0];
    expect(JSON.parse(attempt.request.body).fields.phone).toBe(phone);
  });

  it('lets an agent key with the reveal permission see the phone, and writes each reveal to the audit trail', async () => {
    const { api } = stack;
    const revealed = await api.request('GET', `/leads/${leadId}`, { key: revealingAgentKey });
    expect(revealed.body.fields.phone).toBe(phone);
    const trail = (await api.request('GET', `/leads/${leadId}/history`)).body.entries as { type: string; summary: string }[];
    expect(trail.filter((e) => e.type === 'sealed_fields_revealed').map((e) => e.summary)).toEqual(['sealed fields of the lead revealed to agent key "team lead"']);
  });

  it('gives the reveal permission to agent keys only, saying why', async () => {
    const res = await stack.api.request('POST', '/api-keys', { body: { name: 'ops', role: 'operator', reveal: true } });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ field: 'body.reveal', reason: 'only agent keys take the reveal permission: operators see sealed fields anyway' }]);
  });
});

describe('the field keyring', () => {
  const key = () => randomBytes(32).toString('base64');
  const defs = [{ name: 'phone', type: 'string' as const, required: true, encrypted: true }, { name: 'postcode', type: 'string' as const, required: true, encrypted: false }];

  it('seals only flagged fields, each under a data key of its own, and opens them after the keyring rotates', () => {
    const oldKey = key();
    const before = new FieldSealer(parseKeyring(`k1:${oldKey}`, 'LEADRELAY_FIELD_KEYS'));
    const sealed = before.sealFields(defs, { phone: '+447700900123', postcode: 'LS1' });
    expect(sealed.postcode).toBe('LS1');
    expect(JSON.stringify(sealed)).not.toContain('900123');
    expect(before.sealFields(defs, { phone: '+447700900123' }).phone).not.toEqual(sealed.phone);
    const rotated = new FieldSealer(parseKeyring(`k2:${key()},k1:${oldKey}`, 'LEADRELAY_FIELD_KEYS'));
    expect(rotated.openAll(sealed)).toEqual({ phone: '+447700900123', postcode: 'LS1' });
    expect(rotated.seal('x').kek).toBe('k2');
  });

  it('refuses a value under a key it no longer has, or one tampered with', () => {
    const sealed = new FieldSealer(parseKeyring(`k1:${key()}`, 'LEADRELAY_FIELD_KEYS')).seal('+447700900123');
    expect(() => new FieldSealer(parseKeyring(`k9:${key()}`, 'LEADRELAY_FIELD_KEYS')).open(sealed)).toThrow(/unknown key "k1": add it to LEADRELAY_FIELD_KEYS/);
    expect(() => new FieldSealer(parseKeyring(`k1:${key()}`, 'LEADRELAY_FIELD_KEYS')).open(sealed)).toThrow();
  });

  it('needs keys of its own in production', () => {
    expect(() => fieldSealerFromEnv({ NODE_ENV: 'production' })).toThrow(/LEADRELAY_FIELD_KEYS must be set in production/);
  });
});
