import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { invalid } from '../validation';
import { updateLead } from '../workflow-updates';
import { narrateHistory } from '../lead-history';
import { leadFieldsSchema } from '../schemas/lead-fields';
import { getLead, insertLead, listLeads, type LeadRow } from '../../db/leads';
import { getLeadTypeByName } from '../../db/lead-types';
import { listAttempts, listDeliveries } from '../../db/deliveries';
import { leadWorkflowId } from '../../domain/ids';
import { LeadIdAttribute, LeadTypeAttribute, LeadStatusAttribute } from '../../domain/search-attributes';
import { leadStateQuery, referUpdate } from '../../workflows/messages';
import type { LeadState } from '../../domain/lead-state';
import { decodeHistory } from '../../infra/payload-codec';

export const createLeadBody = z
  .strictObject({
    leadType: z.string().min(1).max(100).meta({ description: 'Lead type name', example: 'mortgage' }),
    fields: z.record(z.string(), z.unknown()).default({}).meta({ description: "Lead field values, checked against the lead type's field schema", example: { name: 'Ada', postcode: 'SW1A 1AA' } }),
  })
  .meta({ id: 'CreateLead' });

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().meta({ description: 'Retrying with the same key returns the same lead, never a second one' }),
});

const leadParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) });

const listQuery = z.strictObject({
  status: z.string().max(40).optional(),
  leadType: z.string().max(100).optional(),
  partnerId: z.uuid().optional(),
  createdAfter: z.coerce.date().optional(),
  createdBefore: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const referBody = z
  .strictObject({ partnerId: z.uuid().optional().meta({ description: 'Refer to this partner only; without it the profile strategy picks' }) })
  .meta({ id: 'Refer' });

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

export function leadRoutes({ sql, temporal, taskQueue }: AppDeps) {
  const startLeadWorkflow = async (lead: LeadRow) => {
    try {
      await temporal.workflow.start('leadWorkflow', {
        taskQueue,
        workflowId: leadWorkflowId(lead.id),
        args: [{ leadId: lead.id }],
        typedSearchAttributes: [
          { key: LeadIdAttribute, value: lead.id },
          { key: LeadTypeAttribute, value: lead.leadType },
          { key: LeadStatusAttribute, value: 'received' },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
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
      responses: { 202: { description: 'Accepted; the lead workflow has started', schema: z.object({ id: z.uuid(), workflowId: z.string() }) } },
      handler: async ({ body, req, principal }) => {
        const leadType = await getLeadTypeByName(sql, body.leadType);
        if (!leadType) throw invalid([{ field: 'body.leadType', reason: `no lead type named ${body.leadType}` }]);
        const fields = leadFieldsSchema(leadType.fields).safeParse(body.fields);
        if (!fields.success) throw invalid(fields.error.issues.map((i) => ({ field: ['body', 'fields', ...i.path.map(String)].join('.'), reason: i.message })));
        const submittedBy = principal!.role === 'partner' ? `partner:${principal!.partnerId}` : `${principal!.role}:${principal!.keyId}`;
        const { lead } = await insertLead(sql, {
          id: randomUUID(), leadType: leadType.name, leadTypeId: leadType.id, fields: fields.data, source: principal!.role, submittedBy,
          idempotencyKey: req.header('idempotency-key') ?? undefined,
        });
        // Started on every submission, not only the first: a retry after a crash between the
        // insert and the start still gets its workflow, and a duplicate start is a no-op.
        await startLeadWorkflow(lead);
        return { id: lead.id, workflowId: leadWorkflowId(lead.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads',
      summary: 'Leads, newest first, filtered by status, lead type, partner and creation time',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      query: listQuery,
      responses: { 200: { description: 'Leads', schema: z.object({ items: z.array(leadSchema.omit({ deliveries: true })) }) } },
      handler: async ({ query }) => ({
        items: (await listLeads(sql, query)).map((l) => ({
          id: l.id, leadType: l.leadType, fields: l.fields, status: l.status, reason: l.statusReason, source: l.source,
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
        const { lead, deliveries } = await visibleLead(params.id, principal);
        const live = await temporal.workflow.getHandle(leadWorkflowId(lead.id)).query(leadStateQuery).catch((): LeadState | undefined => undefined);
        return {
          id: lead.id,
          leadType: lead.leadType,
          fields: lead.fields,
          status: live?.status ?? lead.status,
          reason: live?.reason ?? lead.statusReason,
          source: lead.source,
          createdAt: lead.createdAt.toISOString(),
          workflowId: leadWorkflowId(lead.id),
          deliveries: deliveries.map((d) => ({
            partnerId: d.partnerId, partnerName: d.partnerName, status: d.status, priceMinor: d.priceMinor, currency: d.currency,
            deliveredAt: iso(d.deliveredAt), acceptedAt: iso(d.acceptedAt), declinedAt: iso(d.declinedAt ?? d.expiredAt ?? d.failedAt), reason: d.declineReason,
          })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id/history',
      summary: "The lead's audit trail, read from its workflow history",
      description: 'Every partner evaluated with each criterion, reservations, delivery attempts with request and response, answers, prices and the final state, in order.',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      responses: { 200: { description: 'Ordered audit entries', schema: z.object({ workflowId: z.string(), entries: z.array(z.object({ eventId: z.number(), at: z.string(), type: z.string(), summary: z.string(), detail: z.unknown().optional() })), attempts: z.array(z.unknown()) }) }, 404: { description: 'No such lead' } },
      handler: async ({ params }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        const history = await decodeHistory(await temporal.workflow.getHandle(leadWorkflowId(lead.id)).fetchHistory(), temporal.options.loadedDataConverter.payloadCodecs);
        return { workflowId: leadWorkflowId(lead.id), entries: narrateHistory(history.events ?? []), attempts: await listAttempts(sql, lead.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/leads/:id/refer',
      summary: 'Refer a lead that waits for a manual referral, optionally to a named partner',
      description: 'Answers 409 with the reason when the lead is not waiting for a referral or the named partner is not eligible.',
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      body: referBody,
      responses: { 200: { description: 'Referral started', schema: z.object({ partners: z.array(z.string()) }) }, 404: { description: 'No such lead' }, 409: { description: 'Refused, with the reason' } },
      handler: async ({ params, body, principal }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        return updateLead(temporal, leadWorkflowId(lead.id), referUpdate, { partnerId: body.partnerId, referredBy: `${principal!.role}:${principal!.name}` });
      },
    }),
  ];
}
