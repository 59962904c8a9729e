import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { invalid, unique } from '../validation';
import { idParams, text } from '../schemas/common';
import { getPartner } from '../../db/partners';
import { chargeFor, getReturn, getReturnPolicy, insertReturn, listReturns, monthReturns, setReturnPolicy } from '../../db/returns';
import { assessReturn, RETURN_REASONS, returnWorkflowId, type ReturnPolicy } from '../../domain/returns';
import type { leadReturnWorkflow } from '../../workflows/lead-return';
import { decideReturnUpdate } from '../../workflows/return-messages';

const reason = z.enum(RETURN_REASONS, { error: `must be one of ${RETURN_REASONS.join(', ')}` });
const hours = (max: number) => z.number().positive('must be above 0').max(max, `must be at most ${max}`);

const policySchema = z
  .strictObject({
    windowHours: hours(8760).meta({ description: 'How long after delivery (the charge) a lead may be returned' }),
    reasons: z.array(z.strictObject({ reason, evidenceRequired: z.boolean().default(false) })).min(1, 'must allow at least one reason')
      .refine((rs) => new Set(rs.map((r) => r.reason)).size === rs.length, 'must list each reason once'),
    autoApprove: z.strictObject({ withinHours: hours(8760), reasons: z.array(reason) }).nullable().default(null)
      .meta({ description: 'Approved without an operator when asked within withinHours, for one of these reasons, and under the cap. Null: an operator decides every return' }),
    maxReturnRatePercent: z.number().min(0).max(100).nullable().default(null).meta({ description: "The most of a billing month's charged leads that may be returned; null: no cap" }),
    decisionHours: hours(720).default(72).meta({ description: 'How long an operator has to decide; an undecided return then expires, not credited' }),
  })
  .meta({ id: 'ReturnPolicy' });

const returnSchema = z
  .object({
    id: z.uuid(), partnerId: z.uuid(), leadId: z.string(), chargeKey: z.string(),
    amountMinor: z.number().int().meta({ description: 'The locked price charged, credited back if approved' }), currency: z.string(),
    reason, evidence: z.string().nullable(),
    status: z.enum(['pending', 'approved', 'denied', 'expired']), autoApproved: z.boolean(),
    decidedBy: z.string().nullable(), decisionNote: z.string().nullable(),
    requestedAt: z.string(), decideBy: z.string(), decidedAt: z.string().nullable(),
    creditNoteId: z.uuid().nullable().meta({ description: 'The credit note, when the charge had already been invoiced' }),
    partnerToldAt: z.string().nullable(),
  })
  .meta({ id: 'LeadReturn' });
const listSchema = z.object({ items: z.array(returnSchema), total: z.number().int() }).meta({ id: 'LeadReturnList' });
const listQuery = {
  status: z.enum(['pending', 'approved', 'denied', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

const returnBody = z.strictObject({ reason, evidence: text(2000).optional().meta({ description: 'Required for reasons the policy marks evidenceRequired' }) }).meta({ id: 'ReturnRequest' });
const decisionBody = z.strictObject({ decision: z.enum(['approve', 'deny'], { error: 'must be approve or deny' }), note: text(1000).optional() }).meta({ id: 'ReturnDecision' });

export function returnRoutes({ sql, temporal, taskQueue, billingTimezone = 'Europe/London' }: AppDeps) {
  const ownId = (principal: Principal | null) => principal?.partnerId ?? Promise.reject(notFound('partner for this key'));
  const existingPartner = async (id: string) => (await getPartner(sql, id)) ?? Promise.reject(notFound(`partner ${id}`));
  const existingReturn = async (id: string) => (await getReturn(sql, id)) ?? Promise.reject(notFound(`return ${id}`));

  const requestReturn = async (partnerId: string, leadId: string, body: z.infer<typeof returnBody>) => {
    // Another partner's lead, or one never charged to this partner, is answered as missing, before anything else is said.
    const charge = await chargeFor(sql, partnerId, leadId);
    if (!charge) throw notFound(`lead ${leadId} among your charged leads`);
    const policy = await getReturnPolicy(sql, partnerId);
    if (!policy) throw new HttpError(422, 'returns_not_allowed', 'your account has no return policy: ask your account manager');
    const now = new Date();
    const verdict = assessReturn(policy, body, charge, await monthReturns(sql, partnerId, now, billingTimezone), now);
    if ('status' in verdict) {
      if (verdict.field) throw invalid([{ field: verdict.field, reason: verdict.reason }]);
      throw new HttpError(verdict.status, verdict.code, verdict.reason);
    }
    const decideBy = new Date(now.getTime() + policy.decisionHours * 3_600_000).toISOString();
    const created = await unique(
      insertReturn(sql, { id: randomUUID(), partnerId, leadId, chargeKey: charge.key, amountMinor: charge.amountMinor, currency: charge.currency, reason: body.reason, evidence: body.evidence ?? null, autoApproved: verdict.autoApprove, decideBy }),
      `lead ${leadId} has already been returned`,
    );
    const handle = await temporal.workflow.start<typeof leadReturnWorkflow>('leadReturnWorkflow', {
      workflowId: returnWorkflowId(created.id), taskQueue, args: [{ returnId: created.id, autoApprove: verdict.autoApprove, decideBy }],
    });
    // An auto-approved return answers once credited, so the partner sees the outcome, not a queue.
    if (verdict.autoApprove) await handle.result();
    return existingReturn(created.id);
  };

  const decide = async (id: string, body: z.infer<typeof decisionBody>, principal: Principal | null) => {
    const r = await existingReturn(id);
    if (r.status !== 'pending') throw new HttpError(409, 'already_decided', `return ${id} is already ${r.status}`);
    try {
      await temporal.workflow.getHandle(returnWorkflowId(id)).executeUpdate(decideReturnUpdate, {
        args: [{ approve: body.decision === 'approve', by: principal?.name ?? 'operator', note: body.note ?? '' }],
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'already_decided', (err.cause as Error | undefined)?.message ?? err.message);
      throw err;
    }
    return existingReturn(id);
  };

  return [
    defineRoute({
      method: 'put',
      path: '/partners/:id/return-policy',
      summary: "Set a partner's return policy: window, reasons, auto-approval, monthly cap and decision deadline",
      tags: ['returns'],
      auth: ['operator'],
      params: idParams('partner'),
      body: policySchema,
      responses: { 200: { description: 'The policy now in force', schema: policySchema }, 404: { description: 'No such partner' } },
      handler: async ({ params, body }) => {
        await existingPartner(params.id);
        return setReturnPolicy(sql, params.id, body as ReturnPolicy);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/return-policy',
      summary: "A partner's return policy",
      tags: ['returns'],
      auth: ['operator'],
      params: idParams('partner'),
      responses: { 200: { description: 'The policy in force', schema: policySchema }, 404: { description: 'No such partner, or no policy' } },
      handler: async ({ params }) => (await getReturnPolicy(sql, params.id)) ?? Promise.reject(notFound(`return policy of partner ${params.id}`)),
    }),
    defineRoute({
      method: 'post',
      path: '/portal/leads/:id/return',
      summary: 'Return one of your charged leads, with a reason',
      description: 'Auto-approved (credited before the answer) or queued for an operator. 404 for a lead not charged to you, 422 out of the window or over the monthly cap, 409 if already returned.',
      tags: ['portal', 'returns'],
      auth: ['partner'],
      params: idParams('lead'),
      body: returnBody,
      status: 201,
      responses: {
        201: { description: 'The return: approved, or pending an operator', schema: returnSchema },
        404: { description: 'Not a lead charged to you' }, 409: { description: 'Already returned' },
        422: { description: 'Out of the return window, over the monthly cap, or no return policy' },
      },
      handler: async ({ params, body, principal }) => requestReturn(await ownId(principal), params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/returns/:id/decision',
      summary: 'Approve (credit at the locked price) or deny a pending return',
      tags: ['returns'],
      auth: ['operator'],
      params: idParams('return'),
      body: decisionBody,
      responses: { 200: { description: 'The return once the decision is recorded', schema: returnSchema }, 404: { description: 'No such return' }, 409: { description: 'Already decided or expired' } },
      handler: ({ params, body, principal }) => decide(params.id, body, principal),
    }),
    defineRoute({
      method: 'get',
      path: '/returns',
      summary: 'Returns, newest first; ?status=pending is the review queue',
      tags: ['returns'],
      auth: ['operator'],
      query: z.strictObject(listQuery),
      responses: { 200: { description: 'A page of returns', schema: listSchema } },
      handler: ({ query }) => listReturns(sql, query),
    }),
    defineRoute({
      method: 'get',
      path: '/returns/:id',
      summary: 'One return',
      tags: ['returns'],
      auth: ['operator'],
      params: idParams('return'),
      responses: { 200: { description: 'The return', schema: returnSchema }, 404: { description: 'No such return' } },
      handler: ({ params }) => existingReturn(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/return-policy',
      summary: 'Your return policy: the window, the reasons you may give and which need evidence',
      tags: ['portal', 'returns'],
      auth: ['partner'],
      responses: { 200: { description: 'The policy in force', schema: policySchema }, 404: { description: 'Your account has no return policy' } },
      handler: async ({ principal }) => (await getReturnPolicy(sql, await ownId(principal))) ?? Promise.reject(notFound('return policy for your account')),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/returns',
      summary: 'Your returns and their decisions, newest first',
      tags: ['portal', 'returns'],
      auth: ['partner'],
      query: z.strictObject(listQuery),
      responses: { 200: { description: 'A page of your returns', schema: listSchema } },
      handler: async ({ query, principal }) => listReturns(sql, { ...query, partnerId: await ownId(principal) }),
    }),
  ];
}
