import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { getLead, insertLead } from '../../db/leads';
import { leadWorkflowId } from '../../domain/ids';
import { leadStateQuery } from '../../workflows/messages';
import type { LeadState } from '../../domain/lead-state';

export const createLeadBody = z
  .strictObject({
    leadType: z.string().min(1).max(100).meta({ description: 'Lead type name', example: 'mortgage' }),
    fields: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Lead field values', example: { name: 'Ada', postcode: 'SW1A 1AA' } }),
  })
  .meta({ id: 'CreateLead' });

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().meta({ description: 'Retrying with the same key returns the same lead' }),
});

const leadParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) });

const leadSchema = z
  .object({
    id: z.uuid(),
    leadType: z.string(),
    fields: z.record(z.string(), z.unknown()),
    status: z.string(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    workflowId: z.string(),
  })
  .meta({ id: 'Lead' });

export function leadRoutes({ sql, temporal, taskQueue }: AppDeps) {
  const startLeadWorkflow = async (leadId: string) => {
    try {
      await temporal.workflow.start('leadWorkflow', { taskQueue, workflowId: leadWorkflowId(leadId), args: [{ leadId }] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  return [
    defineRoute({
      method: 'post',
      path: '/leads',
      summary: 'Submit a lead; routing runs in its workflow',
      tags: ['leads'],
      auth: ['operator', 'agent', 'partner'],
      body: createLeadBody,
      headers: idempotencyHeaders,
      status: 202,
      responses: { 202: { description: 'Accepted; the lead workflow has started', schema: z.object({ id: z.uuid(), workflowId: z.string() }) } },
      handler: async ({ body, req }) => {
        const idempotencyKey = req.header('idempotency-key') ?? undefined;
        const { lead } = await insertLead(sql, { id: randomUUID(), leadType: body.leadType, fields: body.fields, source: 'api', idempotencyKey });
        // Started on every submission, not only the first: a retry after a crash between the
        // insert and the start still gets its workflow, and a duplicate start is a no-op.
        await startLeadWorkflow(lead.id);
        return { id: lead.id, workflowId: leadWorkflowId(lead.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/leads/:id',
      summary: "A lead and its workflow's live state",
      tags: ['leads'],
      auth: ['operator', 'agent'],
      params: leadParams,
      responses: { 200: { description: 'The lead', schema: leadSchema }, 404: { description: 'No such lead' } },
      handler: async ({ params }) => {
        const lead = await getLead(sql, params.id);
        if (!lead) throw notFound(`lead ${params.id}`);
        const live = await temporal.workflow
          .getHandle(leadWorkflowId(lead.id))
          .query(leadStateQuery)
          .catch((): LeadState | undefined => undefined);
        return {
          id: lead.id,
          leadType: lead.leadType,
          fields: lead.fields,
          status: live?.status ?? lead.status,
          reason: live?.reason ?? lead.statusReason,
          createdAt: lead.createdAt.toISOString(),
          workflowId: leadWorkflowId(lead.id),
        };
      },
    }),
  ];
}
