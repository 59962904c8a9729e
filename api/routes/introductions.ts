import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { conflict } from '../validation';
import { getLead } from '../../db/leads';
import { listDeliveries } from '../../db/deliveries';
import { listSentLeads, recordOutcome } from '../../db/introductions';

const sentQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const sentLeadSchema = z
  .object({
    id: z.uuid(),
    leadType: z.string(),
    status: z.string(),
    createdAt: z.string(),
    deliveries: z.array(z.object({
      partnerName: z.string().nullable().meta({ description: 'Only where the lead type lets introducers see partners' }),
      status: z.string(),
      outcome: z.enum(['won', 'lost']).nullable(),
    })),
  })
  .meta({ id: 'SentLead' });

const outcomeBody = z
  .strictObject({
    outcome: z.enum(['won', 'lost']),
    valueMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null).meta({ description: 'What the deal was worth, in minor units' }),
    note: z.string().max(2000).nullable().default(null),
  })
  .meta({ id: 'LeadOutcome' });

/**
 * The referrer's side of a referral (Partner Partner's "Sent" tab): an introducer follows the leads
 * it sent to their end, and the partner that took a lead says whether it was won. Only the receiver
 * changes a referral.
 */
export function introductionRoutes({ sql }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/portal/sent',
      summary: 'Leads you introduced, and how each ended',
      description: 'Partner names appear only where the lead type allows introducers to see them.',
      tags: ['portal'],
      auth: ['partner'],
      query: sentQuery,
      responses: { 200: { description: 'Newest first', schema: z.object({ items: z.array(sentLeadSchema) }) } },
      handler: async ({ principal, query }) => ({
        items: (await listSentLeads(sql, principal!.partnerId!, query)).map((l) => ({
          id: l.id,
          leadType: l.leadType,
          status: l.status,
          createdAt: l.createdAt.toISOString(),
          deliveries: l.deliveries.map((d) => ({ partnerName: l.introducerSeesPartners ? d.partnerName : null, status: d.status, outcome: d.outcome as 'won' | 'lost' | null })),
        })),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/portal/leads/:id/outcome',
      summary: 'Say whether a lead you accepted was won or lost',
      description: 'Conversion feedback: the introducer and operators see it. It may be changed until you are sure.',
      tags: ['portal'],
      auth: ['partner'],
      params: z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) }),
      body: outcomeBody,
      responses: {
        200: { description: 'Recorded', schema: z.object({ leadId: z.uuid(), outcome: z.enum(['won', 'lost']), valueMinor: z.number().int().nullable(), note: z.string().nullable(), at: z.string() }) },
        404: { description: 'No such lead delivered to you' },
        409: { description: 'The lead was not accepted by you' },
      },
      handler: async ({ principal, params, body }) => {
        const partnerId = principal!.partnerId!;
        const lead = await getLead(sql, params.id);
        const mine = lead && (await listDeliveries(sql, { leadId: params.id, partnerId }))[0];
        if (!mine) throw notFound(`lead ${params.id}`);
        const recorded = await recordOutcome(sql, { leadId: params.id, partnerId, ...body });
        if (!recorded) throw conflict(`only an accepted lead takes an outcome; your delivery is ${mine.status}`);
        return { leadId: params.id, ...recorded, at: recorded.at.toISOString() };
      },
    }),
  ];
}
