import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { XMLParser } from 'fast-xml-parser';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';

/** What a partner's own server saw, parsed with stock parsers: express's form parser, fast-xml-parser. */
interface Seen { path: string; query: Record<string, unknown>; headers: Record<string, unknown>; form?: Record<string, string>; xml?: any; json?: any }

// Values that break a naive template in every format: markup, entities, quotes, line breaks, non-ASCII.
const NAME = `Ada & "Bob" <O'Brien>\nZoë ✓`;
const POSTCODE = 'SW1A 1AA/&?#';

describe('webhook delivery formats', () => {
  const taskQueue = `formats-${randomUUID()}`;
  let api: TestApi;
  let worker: RunningWorker;
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  /** What the receiver answers, per path. */
  const answers = new Map<string, { status: number; type: string; body: string }>();
  let leadType: string;

  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });
    const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false });
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(express.text({ type: ['application/xml', 'text/xml', 'application/soap+xml'] }));
    app.use(express.json());
    app.post('/{*rest}', (req, res) => {
      const type = String(req.headers['content-type']);
      seen.push({
        path: req.path, query: req.query, headers: req.headers,
        ...(type.startsWith('application/x-www-form-urlencoded') ? { form: req.body } : {}),
        ...(/xml/.test(type) ? { xml: xml.parse(req.body) } : {}),
        ...(type.startsWith('application/json') ? { json: req.body } : {}),
      });
      const answer = answers.get(req.path) ?? { status: 200, type: 'text/plain', body: 'ok' };
      res.status(answer.status).type(answer.type).send(answer.body);
    });
    server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const created = await api.request('POST', '/lead-types', {
      body: {
        name: `formats-${randomUUID().slice(0, 8)}`, referralMethod: 'immediate', defaultPriceMinor: 1234,
        fields: [
          { name: 'name', type: 'string', required: true },
          { name: 'postcode', type: 'string', required: true },
          { name: 'homeowner', type: 'enum', values: ['yes', 'no'] },
          { name: 'movingDate', type: 'date' },
        ],
      },
    });
    leadType = created.body.name;
  });
  afterAll(async () => {
    await worker.stop();
    await new Promise((r) => server.close(r));
    await api.close();
  });

  /** One partner with this webhook delivery as the only route for a fresh profile; returns the lead's final state. */
  async function route(delivery: Record<string, unknown>) {
    const typeRes = await api.request('GET', '/lead-types');
    const type = typeRes.body.find((t: { name: string }) => t.name === leadType);
    const profiles = await api.request('GET', `/profiles?leadTypeId=${type.id}`);
    for (const p of profiles.body) await api.request('PATCH', `/profiles/${p.id}`, { body: { enabled: false } });
    const partner = await api.request('POST', '/partners', {
      body: { name: `p-${randomUUID().slice(0, 8)}`, email: 'p@example.com', status: 'active', timezone: 'Europe/London', delivery: { type: 'webhook', maxAttempts: 1, timeoutMs: 3000, ...delivery } },
    });
    if (partner.status !== 201) throw new Error(JSON.stringify(partner.body));
    const profile = await api.request('POST', '/profiles', { body: { leadTypeId: type.id, name: `p-${randomUUID().slice(0, 6)}`, strategy: 'first_match', enabled: true } });
    await api.request('POST', `/profiles/${profile.body.id}/assignments`, { body: { partnerId: partner.body.id, priority: 1 } });
    const lead = await api.request('POST', '/leads', { body: { leadType, fields: { name: NAME, postcode: POSTCODE, homeowner: 'yes', movingDate: '2026-12-24' } } });
    const state = await api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result();
    return { state, leadId: lead.body.id as string, last: seen[seen.length - 1]! };
  }

  it('posts a form whose values arrive intact through a stock form parser', async () => {
    const { state, last } = await route({ url: `${base}/form`, format: 'form' });
    expect(state.status).toBe('delivered');
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last.form).toMatchObject({ name: NAME, postcode: POSTCODE, homeowner: 'yes', lead_type: leadType, price: '12.34', currency: 'GBP' });
  });

  it('fills a form template, escaping each value for the form', async () => {
    const { last } = await route({ url: `${base}/form-template`, format: 'form', bodyTemplate: 'who={{name}}&where={{postcode}}' });
    expect(last.form).toEqual({ who: NAME, where: POSTCODE });
  });

  it('posts XML, escaped so a stock XML parser reads the same values back', async () => {
    const { state, last } = await route({ url: `${base}/xml`, format: 'xml' });
    expect(state.status).toBe('delivered');
    expect(last.xml.lead.fields).toMatchObject({ name: NAME, postcode: POSTCODE, movingDate: '2026-12-24' });
    expect(last.xml.lead.price).toEqual({ '#text': '12.34', '@_currency': 'GBP' });
  });

  it('fills an XML template with escaped values', async () => {
    const { last } = await route({ url: `${base}/xml-template`, format: 'xml', bodyTemplate: '<Lead><Name>{{name}}</Name><Code attr="{{postcode}}"/></Lead>' });
    expect(last.xml.Lead).toEqual({ Name: NAME, Code: { '@_attr': POSTCODE } });
  });

  it('wraps SOAP 1.1 in its envelope with a SOAPAction header, and SOAP 1.2 with the action parameter', async () => {
    const v11 = await route({ url: `${base}/soap11`, format: 'soap11', soapAction: 'urn:partner:AddLead' });
    expect(v11.state.status).toBe('delivered');
    expect(v11.last.headers.soapaction).toBe('"urn:partner:AddLead"');
    expect(v11.last.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(v11.last.xml.Envelope.Body.SubmitLead.lead.fields.name).toBe(NAME);

    const v12 = await route({ url: `${base}/soap12`, format: 'soap12', soapAction: 'urn:partner:AddLead', bodyTemplate: '<AddLead xmlns="urn:partner"><Name>{{name}}</Name></AddLead>' });
    expect(v12.last.headers['content-type']).toBe('application/soap+xml; charset=utf-8; action="urn:partner:AddLead"');
    expect(v12.last.xml.Envelope.Body.AddLead.Name).toBe(NAME);
  });

  it('turns a SOAP fault into a failed delivery that names the fault', async () => {
    answers.set('/soap-fault', {
      status: 500, type: 'text/xml',
      body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Postcode not covered</faultstring></s:Fault></s:Body></s:Envelope>',
    });
    const { state, leadId } = await route({ url: `${base}/soap-fault`, format: 'soap11' });
    expect(state.status).not.toBe('delivered');
    const [attempt] = await api.sql`select error from delivery_attempts where lead_id = ${leadId}`;
    expect(attempt!.error).toBe('SOAP fault: Postcode not covered');
  });

  it('puts lead variables in the URL percent-encoded, and in header values', async () => {
    const { last } = await route({ url: `${base}/by-postcode/{{postcode}}?name={{name}}`, headers: { 'X-Lead-Name': '{{name}}', 'X-Lead-Type': '{{lead.type}}' } });
    expect(decodeURIComponent(last.path.slice('/by-postcode/'.length))).toBe(POSTCODE);
    expect(last.query.name).toBe(NAME);
    expect(decodeURIComponent(String(last.headers['x-lead-name']))).toBe(NAME.replace('\n', ' '));
    expect(last.headers['x-lead-type']).toBe(leadType);
  });

  it("maps fields to the partner's names, codes and date layout, with fixed values", async () => {
    const { last } = await route({
      url: `${base}/mapped`,
      fieldMapping: { rename: { name: 'full_name' }, fixed: { source: 'leadrelay', campaign: 7 }, values: { homeowner: { yes: '1', no: '0' } }, dates: { movingDate: 'DD/MM/YYYY' } },
    });
    expect(last.json.fields).toEqual({ full_name: NAME, postcode: POSTCODE, homeowner: '1', movingDate: '24/12/2026', source: 'leadrelay', campaign: 7 });
  });

  it("reads the partner's decision from its own answer: JSON path, XPath or a regular expression", async () => {
    answers.set('/json-answer', { status: 200, type: 'application/json', body: JSON.stringify({ result: { status: 'REJECTED', message: 'duplicate lead' } }) });
    const json = await route({ url: `${base}/json-answer`, answer: { type: 'json', decision: '$.result.status', accept: ['accepted'], decline: ['rejected'], reason: '$.result.message' } });
    expect(json.state.status).toBe('declined_everywhere');
    expect(json.state.deliveries[0]).toMatchObject({ status: 'declined', reason: 'duplicate lead' });

    answers.set('/xml-answer', { status: 200, type: 'application/xml', body: '<Response><Status>Accepted</Status></Response>' });
    const xml = await route({ url: `${base}/xml-answer`, format: 'xml', answer: { type: 'xpath', decision: '/Response/Status', accept: ['accepted'], decline: ['declined'] } });
    expect(xml.state.deliveries[0]).toMatchObject({ status: 'accepted' });

    answers.set('/text-answer', { status: 200, type: 'text/plain', body: 'RESULT=NO;WHY=out of area' });
    const text = await route({ url: `${base}/text-answer`, format: 'form', answer: { type: 'regex', accept: '^RESULT=YES', decline: '^RESULT=NO', reason: 'WHY=(.*)$' } });
    expect(text.state.deliveries[0]).toMatchObject({ status: 'declined', reason: 'out of area' });
  });

  it('refuses settings that cannot work, naming the field', async () => {
    const bad = async (delivery: Record<string, unknown>) =>
      api.request('POST', '/partners', { body: { name: `bad-${randomUUID().slice(0, 8)}`, email: 'p@example.com', timezone: 'Europe/London', delivery: { type: 'webhook', url: `${base}/x`, ...delivery } } });
    expect((await bad({ format: 'csv' })).body.problems[0].field).toBe('body.delivery.format');
    expect((await bad({ soapAction: 'urn:x' })).body.problems[0]).toEqual({ field: 'body.delivery.soapAction', reason: 'only SOAP formats take an action' });
    expect((await bad({ url: 'ftp://x/{{name}}' })).body.problems[0].field).toBe('body.delivery.url');
    expect((await bad({ url: `${base}/{{nosuchfield}}` })).body.problems[0]).toEqual({ field: 'body.delivery.url', reason: 'refers to unknown lead fields: {{nosuchfield}}' });
    expect((await bad({ answer: { type: 'regex', accept: '(', decline: 'x' } })).body.problems[0].field).toBe('body.delivery.answer.accept');
  });
});
