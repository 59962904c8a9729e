import { z } from 'zod';
import { PARTNER_STATUSES, PARTNER_TYPES } from '../../domain/config';
import { WEEKDAYS } from '../../domain/schedule';
import { WEBHOOK_FORMATS } from '../../domain/delivery-formats';
import { vatIdProblem } from '../../domain/vat';
import { capsSchema, country, currency, e164, email, minor, text, timezone, uuid } from './common';

export const addressSchema = z
  .strictObject({ line1: text(200), line2: text(200).optional(), city: text(100), postalCode: text(20), country })
  .meta({ id: 'Address' });

export const billingSchema = z
  .strictObject({
    legalName: text(200),
    address: addressSchema,
    vatId: text(30).optional().meta({ description: 'With its country prefix, e.g. GB123456789, DE123456789 (Greece: EL)' }),
    paymentTermsDays: z.number().int().min(0).max(365).default(30),
    currency,
  })
  .superRefine((b, ctx) => {
    const problem = b.vatId === undefined ? undefined : vatIdProblem(b.vatId, b.address.country);
    if (problem) ctx.addIssue({ code: 'custom', path: ['vatId'], message: problem });
  })
  .meta({ id: 'Billing' });

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
// A URL may carry {{variables}}: it must be a URL once they are filled in.
const templatedHttpUrl = z
  .string()
  .max(2000)
  .refine((u) => httpUrl.safeParse(u.replace(/\{\{\s*[\w.-]+\s*\}\}/g, 'x')).success, 'must be an http:// or https:// URL (it may hold {{variables}})')
  .meta({ description: 'May hold {{variables}}, percent-encoded where they land' });
const scalar = z.union([z.string().max(2000), z.number(), z.boolean()]);
const names = z.record(z.string().max(100), z.string().min(1).max(100));

export const fieldMappingSchema = z
  .strictObject({
    rename: names.optional().meta({ description: "Our field name → the partner's" }),
    fixed: z.record(z.string().min(1).max(100), scalar).optional().meta({ description: 'Values sent with every lead' }),
    values: z.record(z.string().max(100), z.record(z.string().max(200), z.string().max(200))).optional().meta({ description: "Per field, our value → the partner's code", example: { homeowner: { yes: '1', no: '0' } } }),
    dates: z.record(z.string().max(100), z.string().regex(/^[YMDHms/.:\- T]{1,40}$/, 'must be a layout of YYYY, MM, DD, HH, mm and ss')).optional().meta({ description: 'Per date field, e.g. "DD/MM/YYYY"' }),
  })
  .meta({ id: 'FieldMapping', description: "How the partner's API expects the lead" });

const regex = z.string().min(1).max(500).refine((r) => { try { new RegExp(r); return true; } catch { return false; } }, 'must be a valid regular expression');
export const answerRulesSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.enum(['json', 'xpath']).meta({ description: 'json: JSONPath expressions; xpath: XPath 1.0 on an XML or SOAP answer' }),
      decision: z.string().min(1).max(500).meta({ example: '$.status' }),
      accept: z.array(z.string().min(1).max(100)).min(1).meta({ description: 'Values of `decision` that mean accepted (any case)' }),
      decline: z.array(z.string().min(1).max(100)).min(1),
      reason: z.string().min(1).max(500).optional(),
    }),
    z.strictObject({ type: z.literal('regex'), accept: regex, decline: regex, reason: regex.optional().meta({ description: 'Its first group is the reason' }) }),
  ])
  .meta({ id: 'AnswerRules', description: "How to read accept, decline and a reason from the partner's answer; without it, {\"decision\":\"accept\"|\"decline\",\"reason\":...}" });
const template = z.string().max(20_000).meta({ description: 'Text with {{field}} placeholders for lead fields' });

export const webhookSchema = z
  .strictObject({
    type: z.literal('webhook'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    url: templatedHttpUrl,
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be an HTTP header name'), z.string().max(2000)).default({}).meta({ description: 'Values may hold {{variables}}' }),
    format: z.enum(WEBHOOK_FORMATS).default('json').meta({ description: 'json, form (x-www-form-urlencoded), xml, soap11 or soap12' }),
    soapAction: z.string().min(1).max(500).optional().meta({ description: 'SOAP formats: the action URI (SOAPAction header, or the action parameter for SOAP 1.2)' }),
    bodyTemplate: template.optional().meta({ description: "Request body (for SOAP, the content of soap:Body), values escaped for the format; omitted: the lead in the format's natural shape" }),
    fieldMapping: fieldMappingSchema.optional(),
    answer: answerRulesSchema.optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    signingSecret: z.string().min(24).max(200).optional().meta({ description: 'Standard Webhooks secret (whsec_...); generated when omitted' }),
    maxAttempts: z.number().int().min(1).max(20).default(5),
  })
  .refine((d) => d.soapAction === undefined || d.format.startsWith('soap'), { path: ['soapAction'], message: 'only SOAP formats take an action' })
  .meta({ id: 'WebhookDelivery' });

export const emailDeliverySchema = z
  .strictObject({
    type: z.literal('email'),
    addresses: z.array(email).min(1, 'needs at least one address').max(20),
    subject: template.max(300).optional(),
    bodyTemplate: template.optional(),
  })
  .meta({ id: 'EmailDelivery' });

export const portalDeliverySchema = z
  .strictObject({
    type: z.literal('portal'),
    notifyByEmail: z.boolean().default(true).meta({ description: "Email the partner's address when a lead is waiting in its portal" }),
  })
  .meta({ id: 'PortalDelivery', description: 'Leads wait in the partner portal (GET /portal/leads); nothing is sent to the partner but the notice' });

export const deliverySchema = z.discriminatedUnion('type', [webhookSchema, emailDeliverySchema, portalDeliverySchema]).meta({ id: 'DeliveryMethod' });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM, 00:00 to 24:00');
export const windowSchema = z
  .strictObject({ day: z.enum(WEEKDAYS), start: hhmm, end: hhmm })
  .refine((w) => w.start < w.end, { path: ['end'], message: 'must be after start; split a window that crosses midnight in two' });

export const scheduleSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('always') }),
    z.strictObject({ type: z.literal('weekly'), windows: z.array(windowSchema).min(1).max(100) }),
  ])
  .meta({ id: 'DeliverySchedule', description: '24/7, or weekly windows on the partner wall clock', example: { type: 'weekly', windows: [{ day: 'mon', start: '09:00', end: '17:30' }] } });

const tags = z
  .array(text(50))
  .max(50)
  .transform((t) => [...new Set(t)]);

const fcaNumber = z.string().regex(/^\d{6,7}$/, 'must be an FCA firm reference number: 6 or 7 digits');

const shape = {
  name: text(200),
  email,
  phone: e164.nullable(),
  address: addressSchema.nullable(),
  notes: z.string().max(10_000).nullable().meta({ description: 'Internal; never shown to the partner' }),
  tags,
  status: z.enum(PARTNER_STATUSES),
  timezone,
  billing: billingSchema.nullable(),
  delivery: deliverySchema.nullable(),
  caps: capsSchema,
  schedule: scheduleSchema,
  creditLimitMinor: minor('creditLimitMinor').nullable().meta({ description: 'Null: no credit limit' }),
  lowFundsThresholdMinor: minor('lowFundsThresholdMinor').nullable(),
  transferPhone: e164.nullable(),
  smsNumber: e164.nullable(),
  fcaNumber: fcaNumber.nullable(),
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).max(1000).meta({ description: 'Consecutive failed deliveries that open the circuit' }),
      cooldownSeconds: z.number().int().min(1).max(7 * 86400).meta({ description: 'How long an open circuit skips the partner before one lead probes it' }),
    })
    .nullable()
    .meta({ description: 'When a failing endpoint is skipped; null: 5 failures, 300 s' }),
  type: z.enum(PARTNER_TYPES).meta({ description: 'receiver: takes leads; introducer: sends leads in; both' }),
  introducerLeadTypeIds: z.array(uuid('lead type')).max(500).transform((ids) => [...new Set(ids)]).meta({ description: 'The lead types this partner may introduce (submit with its key)' }),
};

export const createPartnerBody = z
  .strictObject({
    ...shape,
    phone: shape.phone.default(null),
    address: shape.address.default(null),
    notes: shape.notes.default(null),
    tags: shape.tags.default([]),
    status: shape.status.default('active'),
    billing: shape.billing.default(null),
    delivery: shape.delivery.default(null),
    caps: capsSchema.default({ day: null, week: null, month: null, lifetime: null }),
    schedule: scheduleSchema.default({ type: 'always' }),
    creditLimitMinor: shape.creditLimitMinor.default(null),
    lowFundsThresholdMinor: shape.lowFundsThresholdMinor.default(null),
    transferPhone: shape.transferPhone.default(null),
    smsNumber: shape.smsNumber.default(null),
    fcaNumber: shape.fcaNumber.default(null),
    type: shape.type.default('receiver'),
    circuitBreaker: shape.circuitBreaker.default(null),
    introducerLeadTypeIds: shape.introducerLeadTypeIds.default([]),
  })
  .meta({ id: 'CreatePartner' });

export const updatePartnerBody = z
  .strictObject(shape)
  .partial()
  .meta({ id: 'UpdatePartner', description: 'Fields given replace the stored ones whole (billing, delivery, caps, schedule included).' });

/** What a partner may change about itself; the FCA number only while none is on file. */
export const portalUpdateBody = z
  .strictObject({ email, phone: shape.phone, address: shape.address, billing: shape.billing, transferPhone: shape.transferPhone, smsNumber: shape.smsNumber, fcaNumber })
  .partial()
  .meta({ id: 'PortalUpdate' });

export const signupBody = z
  .strictObject({
    name: shape.name,
    email,
    phone: shape.phone.default(null),
    address: shape.address.default(null),
    timezone,
    billing: shape.billing.default(null),
    fcaNumber: shape.fcaNumber.default(null),
  })
  .meta({ id: 'PartnerSignup' });

export const partnerSchema = z
  .object({ id: z.uuid(), ...shape, configVersion: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Partner' });

export const partnerSearchQuery = z.strictObject({
  name: z.string().max(200).optional().meta({ description: 'Part of the name, any case' }),
  email: z.string().max(254).optional().meta({ description: 'Part of the email, any case' }),
  tag: z.string().max(50).optional().meta({ description: 'Exactly one of the tags' }),
  status: z.enum(PARTNER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const bulkStatusBody = z
  .strictObject({
    ids: z.array(uuid('partner')).min(1).max(500).transform((ids) => [...new Set(ids)]),
    status: z.enum(['active', 'inactive']),
  })
  .meta({ id: 'BulkPartnerStatus', description: 'All or nothing: one unknown id and none change.' });
