import { randomUUID } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { keyFor } from '../config/fixtures';

/**
 * Who may call what: every operation in /openapi.json must be here, so a new route can't ship
 * without someone deciding who may call it.
 */
const ALLOWED: Record<string, readonly string[]> = {
  'GET /healthz': ['public'],
  'POST /leads': ['operator', 'agent', 'partner'],
  'GET /leads': ['operator', 'agent'],
  'GET /leads/{id}': ['operator', 'agent', 'partner'],
  'GET /leads/{id}/history': ['operator', 'agent'],
  'GET /leads/{id}/eligibility': ['operator', 'agent'],
  'POST /leads/{id}/cancel': ['operator', 'agent'],
  'POST /leads/{id}/refer': ['operator', 'agent'],
  'GET /portal/leads': ['partner'],
  'POST /portal/leads/{id}/accept': ['partner'],
  'POST /portal/leads/{id}/decline': ['partner'],
  'GET /respond/{id}': ['public'],
  'POST /respond/{id}': ['public'],
  'POST /lead-types': ['operator'],
  'GET /lead-types': ['operator', 'agent'],
  'GET /lead-types/{id}': ['operator', 'agent'],
  'PATCH /lead-types/{id}': ['operator'],
  'DELETE /lead-types/{id}': ['operator'],
  'POST /partners': ['operator'],
  'GET /partners': ['operator', 'agent'],
  'GET /partners/{id}': ['operator', 'agent'],
  'PATCH /partners/{id}': ['operator'],
  'DELETE /partners/{id}': ['operator'],
  'POST /partners/{id}/signing-secret': ['operator'],
  'POST /partners/bulk-status': ['operator'],
  'POST /profiles': ['operator'],
  'GET /profiles': ['operator', 'agent'],
  'GET /profiles/{id}': ['operator', 'agent'],
  'PATCH /profiles/{id}': ['operator'],
  'DELETE /profiles/{id}': ['operator'],
  'POST /profiles/{id}/assignments': ['operator'],
  'GET /profiles/{id}/assignments': ['operator', 'agent'],
  'GET /assignments': ['operator', 'agent'],
  'GET /assignments/{id}': ['operator', 'agent'],
  'PATCH /assignments/{id}': ['operator'],
  'DELETE /assignments/{id}': ['operator'],
  'POST /dry-run': ['operator', 'agent'],
  'POST /signup/partners': ['public'],
  'GET /portal/me': ['partner'],
  'PATCH /portal/me': ['partner'],
  'POST /portal/signing-secret': ['partner'],
  'POST /api-keys': ['operator'],
  'GET /api-keys': ['operator'],
  'DELETE /api-keys/{id}': ['operator'],
  'GET /partners/{id}/delivery-stats': ['operator'],
  'GET /partners/{id}/capacity': ['operator'],
  'PUT /partners/{id}/delivery-status': ['operator'],
  'GET /partners/{id}/statement': ['operator'],
  'POST /partners/{id}/payments': ['operator'],
  'GET /portal/statement': ['partner'],
  'PUT /portal/status': ['partner'],
  'POST /twilio/sms': ['public'],
  'GET /metrics': ['operator'],
  'GET /portal/sent': ['partner'],
  'POST /portal/leads/{id}/outcome': ['partner'],
  'GET /portal/lead-types': ['partner'],
  'PUT /portal/lead-types/{id}': ['partner'],
  'DELETE /portal/lead-types/{id}': ['partner'],
  'POST /profiles/{id}/test-lead': ['operator'],
  'POST /invoices/runs': ['operator'],
  'GET /invoices': ['operator'],
  'GET /invoices/{id}': ['operator'],
  'GET /invoices/{id}/pdf': ['operator'],
  'GET /portal/invoices': ['partner'],
  'GET /portal/invoices/{id}/pdf': ['partner'],
  'GET /portal/invoices/{id}/pdf-link': ['partner'],
  'PUT /partners/{id}/return-policy': ['operator'],
  'GET /partners/{id}/return-policy': ['operator'],
  'POST /portal/leads/{id}/return': ['partner'],
  'POST /returns/{id}/decision': ['operator'],
  'GET /returns': ['operator'],
  'GET /returns/{id}': ['operator'],
  'GET /portal/returns': ['partner'],
  'GET /portal/return-policy': ['partner'],
  'GET /reports/revenue': ['operator'],
  'GET /reports/lead-counts': ['operator'],
  'GET /portal/reports': ['partner'],
  'PUT /partners/{id}/transfer-settings': ['operator'],
  'GET /partners/{id}/transfer-settings': ['operator', 'agent'],
  'POST /leads/{id}/transfer': ['operator', 'agent'],
  'GET /leads/{id}/transfer': ['operator', 'agent'],
  'POST /twilio/voice/whisper': ['public'],
  'POST /twilio/voice/gather': ['public'],
  'POST /twilio/voice/status': ['public'],
  'POST /twilio/voice/incoming': ['public'],
  'POST /twilio/voice/conference': ['public'],
  'PUT /partners/{id}/appointment-availability': ['operator', 'partner'],
  'GET /partners/{id}/slots': ['operator', 'agent', 'partner'],
  'GET /leads/{id}/slots': ['operator', 'agent'],
  'POST /leads/{id}/appointments': ['operator', 'agent'],
  'GET /leads/{id}/appointments': ['operator', 'agent'],
  'POST /portal/appointments/{id}/outcome': ['partner'],
  'GET /appointment-outcome/{id}': ['public'],
  'POST /appointment-outcome/{id}': ['public'],
  'PUT /lead-types/{id}/transfer-whisper': ['operator'],
  'GET /lead-types/{id}/transfer-whisper': ['operator', 'agent'],
  'GET /partners/{id}/appointment-availability': ['operator', 'agent', 'partner'],
  'POST /leads/{id}/appointments/{appointmentId}/reschedule': ['operator', 'agent', 'partner'],
  'POST /leads/{id}/appointments/{appointmentId}/cancel': ['operator', 'agent'],
  'PUT /lead-types/{id}/appointment-settings': ['operator'],
  'GET /lead-types/{id}/appointment-settings': ['operator', 'agent'],
  'GET /portal/capacity': ['partner'],
  'POST /portal/magic-link': ['public'],
  'POST /portal/magic-link/use': ['public'],
};

type Caller = 'operator' | 'agent' | 'partner' | 'no key' | 'revoked key';
const CALLERS: Caller[] = ['operator', 'agent', 'partner', 'no key', 'revoked key'];

const stack = useLeadStack('authorization');

describe('the authorisation suite, generated from the OpenAPI document', () => {
  let operations: Array<{ method: string; path: string; roles: string[] }>;
  let keys: Record<Caller, string | null>;
  let d: Distribution;
  let other: Distribution;
  let leadOfA: string;

  beforeAll(async () => {
    const { api } = stack;
    const doc = (await api.request('GET', '/openapi.json', { key: null })).body;
    operations = Object.entries<Record<string, { 'x-roles': string[] }>>(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, roles: op['x-roles'] })));
    const holding = await stack.receiver('ack');
    d = await configureDistribution(api, { acceptanceWindowSeconds: 600, partners: [{ name: 'a', webhookUrl: holding.url, priority: 1 }] });
    other = await configureDistribution(api, { partners: [{ name: 'b', webhookUrl: holding.url, priority: 1 }] });
    const revoked = await api.request('POST', '/api-keys', { body: { name: 'leaver', role: 'agent' } });
    await api.request('DELETE', `/api-keys/${revoked.body.id}`);
    keys = { operator: api.operatorKey, agent: await keyFor(api, 'agent'), partner: d.partners.a!.key, 'no key': null, 'revoked key': revoked.body.key };
    leadOfA = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${leadOfA}`)).body.deliveries[0]?.status === 'awaiting_response' ? true : undefined));
  });

  const call = (method: string, path: string, caller: Caller, body?: unknown) =>
    stack.api.request(method, path.replace(/\{[^}]+\}/g, () => randomUUID()), { key: keys[caller], ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: body ?? {} } : {}) });

  it('has a decision for every operation, and documents the same roles it enforces', () => {
    const documented = Object.fromEntries(operations.map((o) => [`${o.method} ${o.path}`, o.roles]));
    expect(documented).toEqual(ALLOWED);
  });

  it('lets each role call exactly its operations: 401 without a live key, 403 for the wrong role', async () => {
    const seen: Record<string, Record<Caller, string>> = {};
    const expected: Record<string, Record<Caller, string>> = {};
    for (const { method, path } of operations) {
      const name = `${method} ${path}`;
      const allowed = ALLOWED[name]!;
      const answers = {} as Record<Caller, { status: number; body: { message?: string } }>;
      for (const caller of CALLERS) answers[caller] = await call(method, path, caller);
      const verdict = ({ status, body }: { status: number; body: { message?: string } }) =>
        (status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status >= 500 ? `server error ${status}: ${body?.message}` : 'allowed');
      seen[name] = Object.fromEntries(CALLERS.map((c) => [c, verdict(answers[c])])) as Record<Caller, string>;
      // A public route answers every caller alike (Twilio's webhook refuses all unsigned calls).
      expected[name] = Object.fromEntries(CALLERS.map((c) => [c,
        allowed.includes('public') ? verdict(answers['no key'])
          : c === 'no key' || c === 'revoked key' ? 'unauthenticated'
            : allowed.includes(c) ? 'allowed' : 'forbidden'])) as Record<Caller, string>;
    }
    expect(seen).toEqual(expected);
  });

  it("never lets partner B read or change anything of partner A's", async () => {
    const { api } = stack;
    const b = other.partners.b!.key;
    for (const [method, path, body] of [
      ['GET', `/leads/${leadOfA}`],
      ['POST', `/portal/leads/${leadOfA}/accept`],
      ['POST', `/portal/leads/${leadOfA}/decline`, { reason: 'not ours' }],
      ['POST', `/portal/leads/${leadOfA}/outcome`, { outcome: 'won' }],
      ['POST', `/portal/leads/${leadOfA}/return`, { reason: 'wrong_number' }],
      ['PUT', `/partners/${d.partners.a!.id}/appointment-availability`, { windows: [{ day: 'mon', start: '09:00', end: '17:00' }], slotMinutes: 60 }],
      ['GET', `/partners/${d.partners.a!.id}/appointment-availability`],
      ['GET', `/partners/${d.partners.a!.id}/slots`],
    ] as const) {
      const res = await api.request(method, path, { key: b, ...(body ? { body } : {}) });
      expect({ call: `${method} ${path}`, status: res.status }).toEqual({ call: `${method} ${path}`, status: 404 });
    }
    const marks = [d.partners.a!.id, leadOfA];
    for (const path of ['/portal/me', '/portal/leads', '/portal/statement', '/portal/sent', '/portal/lead-types', '/portal/invoices', '/portal/returns', '/portal/reports', '/portal/capacity']) {
      const text = JSON.stringify((await api.request('GET', path, { key: b })).body);
      for (const mark of marks) expect({ path, leaks: text.includes(mark) }).toEqual({ path, leaks: false });
    }
    expect((await api.request('GET', `/leads/${leadOfA}`, { key: d.partners.a!.key })).body.deliveries[0].status).toBe('awaiting_response');
    expect((await api.request('POST', `/portal/leads/${leadOfA}/accept`, { key: d.partners.a!.key })).status).toBe(200);
  });
});
