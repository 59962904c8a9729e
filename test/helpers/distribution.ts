import { randomUUID } from 'node:crypto';
import type { TestApi } from './api';

export interface PartnerSpec {
  name: string;
  webhookUrl?: string;
  emails?: string[];
  priority: number;
  priceMinor?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  rules?: unknown;
  fcaNumber?: string;
  caps?: { day?: number | null; week?: number | null; month?: number | null; lifetime?: number | null };
  creditLimitMinor?: number;
}

export interface Distribution {
  leadTypeName: string;
  leadTypeId: string;
  profileId: string;
  partners: Record<string, { id: string; assignmentId: string; secret: string; key: string }>;
}

async function ok<T = any>(res: Promise<{ status: number; body: T }>, expected = 201): Promise<T> {
  const r = await res;
  if (r.status !== expected) throw new Error(`setup call answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Configures, through the operator API, a lead type with one profile and a partner per spec, each with a partner key. */
export async function configureDistribution(
  api: TestApi,
  spec: {
    referralMethod?: 'immediate' | 'manual' | 'appointment'; acceptanceWindowSeconds?: number | null; strategy?: 'first_match' | 'send_to_all';
    /** Null: no limit. */
    referralScope?: number | null; referralDeadlineSeconds?: number; partners: PartnerSpec[];
  },
): Promise<Distribution> {
  const leadTypeName = `solar-${randomUUID().slice(0, 8)}`;
  const leadType = await ok(api.request('POST', '/lead-types', {
    body: {
      name: leadTypeName,
      fields: [
        { name: 'name', type: 'string', required: true },
        { name: 'postcode', type: 'string', required: true },
        { name: 'roofSize', type: 'number', required: false },
        { name: 'phone', type: 'string', required: false, encrypted: true },
      ],
      referralMethod: spec.referralMethod ?? 'immediate',
      defaultPriceMinor: 1000,
      referralScope: spec.referralScope === undefined ? 1 : spec.referralScope,
      acceptanceWindowSeconds: spec.acceptanceWindowSeconds ?? null,
      ...(spec.referralDeadlineSeconds ? { referralDeadlineSeconds: spec.referralDeadlineSeconds } : {}),
    },
  }));
  const profile = await ok(api.request('POST', '/profiles', {
    body: { leadTypeId: leadType.id, name: 'main', strategy: spec.strategy ?? 'first_match', enabled: true, ...(spec.referralScope ? { referralScope: spec.referralScope } : {}) },
  }));
  const partners: Distribution['partners'] = {};
  for (const p of spec.partners) {
    const secret = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;
    const partner = await ok(api.request('POST', '/partners', {
      body: {
        name: `${p.name}-${randomUUID().slice(0, 6)}`,
        email: `${p.name}@partners.example`,
        status: 'active',
        timezone: 'Europe/London',
        delivery: p.webhookUrl
          ? { type: 'webhook', method: 'POST', url: p.webhookUrl, timeoutMs: p.timeoutMs ?? 2000, maxAttempts: p.maxAttempts ?? 2, signingSecret: secret }
          : { type: 'email', addresses: p.emails ?? [`${p.name}@partners.example`] },
        ...(p.fcaNumber ? { fcaNumber: p.fcaNumber } : {}),
        ...(p.caps ? { caps: { day: null, week: null, month: null, lifetime: null, ...p.caps } } : {}),
        ...(p.creditLimitMinor !== undefined ? { creditLimitMinor: p.creditLimitMinor } : {}),
      },
    }));
    const assignment = await ok(api.request('POST', `/profiles/${profile.id}/assignments`, {
      body: { partnerId: partner.id, priority: p.priority, ...(p.priceMinor !== undefined ? { priceMinor: p.priceMinor } : {}), ...(p.rules ? { rules: p.rules } : {}) },
    }));
    const key = await ok(api.request('POST', '/api-keys', { body: { name: `${p.name} key`, role: 'partner', partnerId: partner.id } }));
    partners[p.name] = { id: partner.id, assignmentId: assignment.id, secret, key: key.key };
  }
  return { leadTypeName, leadTypeId: leadType.id, profileId: profile.id, partners };
}
