import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { updateLead } from '../workflow-updates';
import { listDeliveries, offerWorkflowOf } from '../../db/deliveries';
import { linkUsedAt, markLinkUsed } from '../../db/response-links';
import { leadWorkflowId } from '../../domain/ids';
import type { Decision } from '../../domain/lead-state';
import { verifyResponseToken } from '../../infra/response-links';
import { respondUpdate } from '../../workflows/messages';

const leadParams = z.object({ id: z.uuid({ error: 'must be a lead id (UUID)' }) });
const declineBody = z.strictObject({ reason: z.string().min(1).max(500).meta({ description: 'Why the lead is declined' }) }).meta({ id: 'Decline' });
const answerSchema = z.object({ status: z.enum(['accepted', 'declined']) });
const linkQuery = z.strictObject({
  partner: z.uuid(),
  decision: z.enum(['accept', 'decline']),
  expires: z.coerce.number().int().positive(),
  token: z.string().min(10).max(100),
});

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:36em;margin:3em auto">${body}</body></html>`;

export function leadResponseRoutes({ sql, temporal, linkSecret, sealer }: AppDeps) {
  // A re-offered lead's answer goes to the re-offer's workflow; any other to the lead's.
  const respond = async (leadId: string, partnerId: string, decision: Decision, reason?: string) =>
    updateLead(temporal, (await offerWorkflowOf(sql, leadId, partnerId)) ?? leadWorkflowId(leadId), respondUpdate, { partnerId, decision, reason });

  /** A link is good once, until the acceptance window it was sent with closes. */
  const checkLink = async (leadId: string, q: z.infer<typeof linkQuery>) => {
    if (!verifyResponseToken(linkSecret, leadId, q)) throw new HttpError(403, 'bad_link', 'this link is not valid for this lead');
    if (q.expires * 1000 <= Date.now()) throw new HttpError(410, 'link_expired', `this link expired at ${new Date(q.expires * 1000).toISOString()}, when the lead's acceptance window closed`);
    const used = await linkUsedAt(sql, q.token);
    if (used) throw new HttpError(410, 'link_used', `this link was already used, at ${used.toISOString()}`);
  };

  return [
    defineRoute({
      method: 'get',
      path: '/portal/leads',
      summary: 'Leads delivered to you, with their fields and status',
      tags: ['portal'],
      auth: ['partner'],
      responses: { 200: { description: 'Your deliveries', schema: z.object({ items: z.array(z.object({ leadId: z.uuid(), leadType: z.string(), fields: z.record(z.string(), z.unknown()), status: z.string(), priceMinor: z.number(), currency: z.string(), deliveredAt: z.string().nullable(), respondBy: z.string().nullable() })) }) } },
      handler: async ({ principal }) => {
        const deliveries = await listDeliveries(sql, { partnerId: principal!.partnerId! });
        return {
          items: deliveries.map((d) => ({
            leadId: d.leadId, leadType: d.leadType, fields: sealer.openAll(d.fields), status: d.status, priceMinor: d.priceMinor, currency: d.currency,
            deliveredAt: d.deliveredAt?.toISOString() ?? null,
            respondBy: d.status === 'awaiting_response' ? (d.respondBy?.toISOString() ?? null) : null,
          })),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/portal/leads/:id/accept',
      summary: 'Accept a lead delivered to you, within its acceptance window',
      tags: ['portal'],
      auth: ['partner'],
      params: leadParams,
      responses: { 200: { description: 'Accepted', schema: answerSchema }, 404: { description: 'No such lead delivered to you' }, 409: { description: 'Too late, or already answered' } },
      handler: async ({ params, principal }) => {
        await ownDelivery(params.id, principal!.partnerId!);
        return respond(params.id, principal!.partnerId!, 'accept');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/portal/leads/:id/decline',
      summary: 'Decline a lead delivered to you, with a reason; it moves on to the next partner',
      tags: ['portal'],
      auth: ['partner'],
      params: leadParams,
      body: declineBody,
      responses: { 200: { description: 'Declined', schema: answerSchema }, 404: { description: 'No such lead delivered to you' }, 409: { description: 'Too late, or already answered' } },
      handler: async ({ params, body, principal }) => {
        await ownDelivery(params.id, principal!.partnerId!);
        return respond(params.id, principal!.partnerId!, 'decline', body.reason);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/respond/:id',
      summary: 'The page an accept or decline link in a lead email opens',
      description: 'Shows a confirmation button; nothing changes until it is pressed, so mail scanners that follow links decide nothing.',
      tags: ['portal'],
      auth: 'public',
      params: leadParams,
      query: linkQuery,
      responses: { 200: { description: 'HTML confirmation page' }, 403: { description: 'The link is not valid' }, 410: { description: 'The link expired with the acceptance window, or was used already' } },
      handler: async ({ params, query, req, res }) => {
        await checkLink(params.id, query);
        const verb = query.decision === 'accept' ? 'Accept' : 'Decline';
        res.type('html').send(page(`${verb} lead`, `<h1>${verb} lead ${escapeHtml(params.id)}?</h1>
          <form method="post" action="${escapeHtml(req.originalUrl)}">${query.decision === 'decline' ? '<p><label>Reason <input name="reason" required></label></p>' : ''}<button type="submit">${verb}</button></form>`));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/respond/:id',
      summary: 'Confirm an accept or decline link from a lead email',
      tags: ['portal'],
      auth: 'public',
      params: leadParams,
      query: linkQuery,
      responses: { 200: { description: 'HTML result page' }, 403: { description: 'The link is not valid' }, 409: { description: 'Too late, or already answered' }, 410: { description: 'The link expired with the acceptance window, or was used already' } },
      handler: async ({ params, query, req, res }) => {
        await checkLink(params.id, query);
        const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, 500) : undefined;
        const result = await respond(params.id, query.partner, query.decision, query.decision === 'decline' ? (reason ?? 'declined by email') : undefined);
        await markLinkUsed(sql, params.id, query.token);
        res.type('html').send(page('Thank you', `<h1>Lead ${escapeHtml(result.status)}</h1>`));
      },
    }),
  ];

  async function ownDelivery(leadId: string, partnerId: string) {
    const deliveries = await listDeliveries(sql, { leadId, partnerId });
    if (deliveries.length === 0) throw notFound(`lead ${leadId} delivered to you`);
  }
}
