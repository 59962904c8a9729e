import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { invalid } from '../validation';
import { askLead, updateLead } from '../workflow-updates';
import { narrateHistory } from '../lead-history';
import { requestFingerprint, startLeadWorkflow } from '../lead-intake';
import { parseLeadFields } from '../schemas/lead-fields';
import { isoInstant } from '../schemas/common';
import { getLead, insertLead, listLeads } from '../../db/leads';
import { getLeadTypeByName } from '../../db/lead-types';
import { getPartner } from '../../db/partners';
import { listAttempts, listDeliveries } from '../../db/deliveries';
import { leadWorkflowId } from '../../domain/ids';
import { appendAudit, listAudit } from '../../db/audit';
import { listEligibilityReports } from '../../db/eligibility-reports';
import { cancelUpdate, leadStateQuery, referUpdate } from '../../workflows/messages';
import { decodeHistory } from '../../infra/payload-codec';
import { sealedView } from '../sealed-view';

export const createLeadBody = z
  .strictObject({
    leadType: z.string().min(1).max(100).meta({ description: 'Lead type name', example: 'mortgage' }),
    fields: z.record(z.string(), z.unknown()).default({}).meta({ description: "Lead field values, checked against the lead type's field schema", example: { name: 'Ada', postcode: 'SW1A 1AA' } }),
  })
  .meta({ id: 'CreateLead' });

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().meta({ description: 'Retrying with the same key (yours: keys are per submitter) returns the same lead, never a second one; the same key with another request is refused with 422' }),
});

const leadParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) });

const listQuery = z.strictObject({
  status: z.string().max(40).optional(),
  leadType: z.string().max(100).optional(),
  partnerId: z.uuid().optional(),
  q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional()
    .meta({ description: "Text in the lead's id (its start) or in its fields, any case; sealed (encrypted) fields are not searched" }),
  createdAfter: isoInstant.optional(),
  createdBefore: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const referBody = z
  .strictObject({
    partnerId: z.uuid().optional().meta({ description: 'Refer to this partner only' }),
    partnerIds: z.array(z.uuid()).min(1).max(100).optional().meta({ description: 'Refer to each of these partners, up to the referral scope' }),
  })
  .refine((b) => !(b.partnerId && b.partnerIds), { message: 'name partners with partnerId or partnerIds, not both', path: ['partnerIds'] })
  .meta({ id: 'Refer', description: 'Without partners, the profile strategy picks' });

const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(500).meta({ description: 'Why the lead is cancelled; partners holding it are told' }) }).meta({ id: 'CancelLead' });

const deliverySchema = z.object({
  partnerId: z.uuid(),
  partnerName: z.string(),
  status: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  deliveredAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  declinedAt: z.string().nullable(),
  reason: z.string().nullable(),
  respondBy: z.string().nullable().meta({ description: 'While the partner may still answer: when its acceptance window closes' }),
  outcome: z.enum(['won', 'lost']).nullable().meta({ description: "The receiver's word on whether the lead was won" }),
  outcomeValueMinor: z.number().int().nullable(),
});

const leadSchema = z
  .object({
    id: z.uuid(),
    leadType: z.string(),
    fields: z.record(z.string(), z.unknown()),
    status: z.string(),
    reason: z.string().nullable(),
    source: z.string(),
    createdAt: z.string(),
    workflowId: z.string(),
    deliveries: z.array(deliverySchema),
  })
  .meta({ id: 'Lead' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A lead's first offer runs inside a workflow task, and a query waits for that task: a lead whose
 * partner is slow to answer its first webhook is shown from PostgreSQL after this long instead.
 */
const LIVE_STATE_PATIENCE_MS = 1_000;

export function leadRoutes({ sql, temporal, taskQueue, sealer }: AppDeps) {
  const view = sealedView(sql, sealer);
  /** An introducer submits only the lead types its operator allowed it (FLG's partner type and permissions). */
  const assertMayIntroduce = async (partnerId: string, leadType: { id: string; name: string }) => {
    const partner = await getPartner(sql, partnerId);
    const type = partner?.type ?? 'receiver';
    if (type === 'receiver') throw new HttpError(403, 'forbidden', 'this partner receives leads only; ask your operator to make it an introducer');
    if (!partner!.introducerLeadTypeIds?.includes(leadType.id)) throw new HttpError(403, 'forbidden', `this partner may not introduce ${leadType.name} leads; ask your operator`);
  };

  /** The audit trail from PostgreSQL, each judgement with its full report; leads from before it was kept are read from their workflow history. */
  const auditTrail = async (leadId: string) => {
    const entries = await listAudit(sql, leadId);
    if (entries.length === 0) {
      const history = await temporal.workflow.getHandle(leadWorkflowId(leadId)).fetchHistory().catch(() => undefined);
      if (!history) return [];
      return narrateHistory((await decodeHistory(history, temporal.options.loadedDataConverter.payloadCodecs)).events ?? []);
    }
    const reports = new Map((await listEligibilityReports(sql, leadId)).map((r) => [r.id, r.report]));
    return entries.map(({ id: _id, ...e }) => {
      const reportId = (e.detail as { reportId?: string } | undefined)?.reportId;
      return e.type === 'eligibility_evaluated' && reportId ? { ...e, detail: { ...(e.detail as object), eligibility: reports.get(reportId) } } : e;
    });
  };

  const visibleLead = async (id: string, principal: Principal | null) => {
    const lead = await getLead(sql, id);
    if (!lead) throw notFound(`lead ${id}`);
    const deliveries = await listDeliveries(sql, { leadId: id });
    // A partner sees a lead only once it has been delivered to it.
    if (principal?.role === 'partner' && !deliveries.some((d) => d.partnerId === principal.partnerId)) throw notFound(`lead ${id}`);
    return { lead, deliveries: principal?.role === 'partner' ? deliveries.filter((d) => d.partnerId === principal.partnerId) : deliveries };
  };

  return [
    defineRoute({
      method: 'post',
      path: '/leads',
      summary: 'Submit a lead; routing runs in its workflow',
      description: 'Agents, operators and introducer partners submit leads. The answer comes at once; follow the lead at GET /leads/{id}.',
      tags: ['leads'],
      auth: ['operator', 'agent', 'partner'],
      body: createLeadBody,
      headers: idempotencyHeaders,
      status: 202,
      responses: {
        202: { description: 'Accepted; the lead workflow has started', schema: z.object({ id: z.uuid(), workflowId: z.string() }) },
        422: { description: 'The Idempotency-Key was used before with a different request' },
      },
      handler: async ({ body, req, principal }) => {
        const leadType = await getLeadTypeByName(sql, body.leadType);
        if (!leadType) throw invalid([{ field: 'body.leadType', reason: `no lead type named ${body.leadType}` }]);
        if (principal!.role === 'partner') await assertMayIntroduce(principal!.partnerId!, leadType);
        const fields = parseLeadFields(leadType.fields, body.fields);
        const submittedBy = principal!.role === 'partner' ? `partner:${principal!.partnerId}` : `${principal!.role}:${principal!.keyId}`;
        const idempotencyKey = req.header('idempotency-key') ?? undefined;
        const inserted = await insertLead(sql, {
          id: randomUUID(), leadType: leadType.name, leadTypeId: leadType.id, fields: sealer.sealFields(leadType.fields, fields), source: principal!.role, submittedBy,
          idempotencyKey, fingerprint: requestFingerprint(leadType.name, fields),
        });
        if ('mismatch' in inserted) {
          throw new HttpError(422, 'idempotency_key_reused', `Idempotency-Key ${idempotencyKey} was used for lead ${inserted.mismatch.id} with a different request; use a new key for a new lead`);
        }
        const { lead } = inserted;
        // Both on every submission, not only the first, and side by side: a retry after a crash between the insert
        // and either of them still gets its workflow and its entry, while a duplicate start is a no-op and the entry,
        // keyed, is written once.
        await Promise.all([
          appendAudit(sql, lead.id, 'received', { at: lead.createdAt.toISOString(), type: 'lead_received', summary: `lead received from ${submittedBy}`, detail: { leadType: lead.leadType, source: lead.source } }),
          startLeadWorkflow(temporal, taskQueue, lead),
        ]);
        return { id: lead.id, workflowId: leadWorkflowId(lead.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads',
      summary: 'Leads, newest first, filtered by status, lead type, partner, text and creation time',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      query: listQuery,
      responses: { 200: { description: 'Leads', schema: z.object({ items: z.array(leadSchema.omit({ deliveries: true })) }) } },
      handler: async ({ query, principal }) => ({
        // A list never reveals: an agent with the permission opens one lead at a time, and each is audited.
        items: (await listLeads(sql, query)).map((l) => ({
          id: l.id, leadType: l.leadType, fields: principal!.role === 'agent' ? sealer.maskAll(l.fields) : sealer.openAll(l.fields), status: l.status, reason: l.statusReason, source: l.source,
          createdAt: l.createdAt.toISOString(), workflowId: leadWorkflowId(l.id),
        })),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id',
      summary: "A lead, its workflow's live state and every delivery",
      tags: ['leads'],
      auth: ['operator', 'agent', 'partner'],
      params: leadParams,
      responses: { 200: { description: 'The lead', schema: leadSchema }, 404: { description: 'No such lead (or, for a partner, not delivered to it)' } },
      handler: async ({ params, principal }) => {
        const [visible, live] = await Promise.all([visibleLead(params.id, principal), askLead(temporal, leadWorkflowId(params.id), leadStateQuery, LIVE_STATE_PATIENCE_MS)]);
        const { lead } = visible;
        // The live state may be newer than the projection read beside it; read again to show every delivery it names.
        const behind = live?.deliveries.some((x) => !visible.deliveries.some((d) => d.partnerId === x.partnerId));
        const { deliveries } = behind ? await visibleLead(params.id, principal) : visible;
        const shown = deliveries.map((d) => {
          // While the workflow runs, its state is the live one; the projection follows a moment later.
          const now = live?.deliveries.find((x) => x.partnerId === d.partnerId);
          const status = now?.status ?? d.status;
          return {
            partnerId: d.partnerId, partnerName: d.partnerName, status, priceMinor: d.priceMinor, currency: d.currency,
            deliveredAt: iso(d.deliveredAt), acceptedAt: iso(d.acceptedAt), declinedAt: iso(d.declinedAt ?? d.expiredAt ?? d.failedAt ?? d.withdrawnAt),
            reason: d.declineReason, respondBy: status === 'awaiting_response' ? (now?.respondBy ?? iso(d.respondBy)) : null,
            outcome: d.outcome, outcomeValueMinor: d.outcomeValueMinor === null ? null : Number(d.outcomeValueMinor),
          };
        });
        // A partner hears of its own delivery only: the lead's overall reason names other partners and their answers.
        const own = principal?.role === 'partner' ? shown[0] : undefined;
        return {
          id: lead.id,
          leadType: lead.leadType,
          fields: await view(principal, lead.id, lead.fields, 'lead'),
          status: own ? own.status : (live?.status ?? lead.status),
          reason: own ? own.reason : (live?.reason ?? lead.statusReason),
          source: lead.source,
          createdAt: lead.createdAt.toISOString(),
          workflowId: leadWorkflowId(lead.id),
          deliveries: shown,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/history',
      summary: "The lead's audit trail, kept in PostgreSQL as it happened",
      description: 'Every judgement of every partner with each criterion, reservations, delivery attempts with request and response, answers, prices, status changes and the final state, in order. It outlives the workflow history, which Temporal deletes after its retention.',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      responses: { 200: { description: 'Ordered audit entries', schema: z.object({ workflowId: z.string(), entries: z.array(z.object({ at: z.string(), type: z.string(), summary: z.string(), detail: z.unknown().optional() })), attempts: z.array(z.unknown()) }) }, 404: { description: 'No such lead' } },
      handler: async ({ params, principal }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        return view(principal, lead.id, { workflowId: leadWorkflowId(lead.id), entries: await auditTrail(lead.id), attempts: await listAttempts(sql, lead.id) }, 'audit trail');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/eligibility',
      summary: 'Every judgement of the lead: each partner, each criterion, pass or fail with the value seen',
      description: "FLG's \"why can't I refer to this partner\": judged on arrival, and again at each manual referral.",
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      responses: { 200: { description: 'Oldest first', schema: z.object({ judgements: z.array(z.object({ id: z.uuid(), judgedAt: z.string(), report: z.unknown() })) }) }, 404: { description: 'No such lead' } },
      handler: async ({ params, principal }) => {
        if (!(await getLead(sql, params.id))) throw notFound(`lead ${params.id}`);
        return view(principal, params.id, { judgements: await listEligibilityReports(sql, params.id) }, 'eligibility report');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/cancel',
      summary: 'Cancel a lead in any state but a final one',
      description: 'Open capacity holds are released and partners already holding the lead are told it is withdrawn. Answers once it is done; 409 when the lead has already ended.',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      body: cancelBody,
      responses: { 200: { description: 'Cancelled', schema: z.object({ status: z.literal('cancelled') }) }, 404: { description: 'No such lead' }, 409: { description: 'The lead has already ended' } },
      handler: async ({ params, body, principal }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        return updateLead(temporal, leadWorkflowId(lead.id), cancelUpdate, { reason: body.reason, cancelledBy: `${principal!.role}:${principal!.name}` });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/refer',
      summary: 'Refer a lead that waits for a manual referral, optionally to named partners',
      description: 'The lead is judged again as it is now. Answers 409 with the reason when the lead is not waiting for a referral, names more partners than its referral scope, or a named partner is not eligible (each with its reason).',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      body: referBody,
      responses: { 200: { description: 'Referral started', schema: z.object({ partners: z.array(z.string()) }) }, 404: { description: 'No such lead' }, 409: { description: 'Refused, with the reason' } },
      handler: async ({ params, body, principal }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        return updateLead(temporal, leadWorkflowId(lead.id), referUpdate, { partnerId: body.partnerId, partnerIds: body.partnerIds, referredBy: `${principal!.role}:${principal!.name}` });
      },
    }),
  ];
}
