import { randomUUID } from 'node:crypto';
import type { TestApi } from '../helpers/api';

/** Names unique to this run, since test files share one database. */
export const unique = (name: string) => `${name} ${randomUUID().slice(0, 8)}`;

export const mortgageFields = [
  { name: 'name', type: 'string', required: true },
  { name: 'postcode', type: 'string', required: true },
  { name: 'loanAmount', type: 'number' },
  { name: 'product', type: 'enum', values: ['Remortgage', 'Purchase'] },
  { name: 'niNumber', type: 'string', encrypted: true },
];

export const validPartner = (overrides: Record<string, unknown> = {}) => ({
  name: unique('Acme Mortgages'),
  email: 'leads@acme.example',
  phone: '+447700900123',
  timezone: 'Europe/London',
  tags: ['mortgage', 'london'],
  billing: {
    legalName: 'Acme Mortgages Ltd',
    address: { line1: '1 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
    vatId: 'GB123456789',
    paymentTermsDays: 14,
    currency: 'GBP',
  },
  delivery: { type: 'webhook', url: 'https://acme.example/leads', bodyTemplate: '{"lead":"{{lead.id}}","type":"{{lead.type}}"}' },
  caps: { day: 20, month: 400 },
  schedule: { type: 'weekly', windows: [{ day: 'mon', start: '09:00', end: '17:30' }] },
  creditLimitMinor: 500_00,
  ...overrides,
});

export async function createLeadType(api: TestApi, overrides: Record<string, unknown> = {}) {
  const res = await api.request('POST', '/lead-types', {
    body: { name: unique('mortgage'), fields: mortgageFields, referralMethod: 'immediate', defaultPriceMinor: 25_00, ...overrides },
  });
  if (res.status !== 201) throw new Error(`lead type not created: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export async function createPartner(api: TestApi, overrides: Record<string, unknown> = {}) {
  const res = await api.request('POST', '/partners', { body: validPartner(overrides) });
  if (res.status !== 201) throw new Error(`partner not created: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; status: string };
}

export async function keyFor(api: TestApi, role: 'operator' | 'agent' | 'partner', partnerId?: string): Promise<string> {
  const res = await api.request('POST', '/api-keys', { body: { name: unique(role), role, ...(partnerId ? { partnerId } : {}) } });
  if (res.status !== 201) throw new Error(`key not created: ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}

export const problemFields = (body: { problems?: Array<{ field: string }> }) => (body.problems ?? []).map((p) => p.field);
