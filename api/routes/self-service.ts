import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { deleteAssignment, insertAssignment, listAssignments, updateAssignment } from '../../db/assignments';
import { getLeadType, listLeadTypes, type LeadTypeRecord } from '../../db/lead-types';
import { getPartner } from '../../db/partners';
import type { Partner, SelfService } from '../../domain/config';
import { areaRules, areasOf } from '../../domain/self-service';
import { idParams } from '../schemas/common';

const NO_CAPS = { day: null, week: null, month: null, lifetime: null };

const selfServedSchema = z
  .object({
    leadTypeId: z.uuid(),
    name: z.string(),
    priceMinor: z.number().int().meta({ description: "The lead type's default price: what a self-served lead costs" }),
    areaField: z.string(),
    subscribed: z.boolean(),
    areas: z.array(z.string()).meta({ description: 'Prefixes of the area field; empty while subscribed: everywhere' }),
  })
  .meta({ id: 'SelfServedLeadType' });

const areasBody = z
  .strictObject({
    areas: z.array(z.string().trim().min(1).max(20).regex(/^[\p{L}\p{N} -]+$/u, 'must be letters, digits, spaces or dashes')).max(200).default([])
      .transform((a) => [...new Set(a.map((x) => x.toUpperCase()))]),
  })
  .meta({ id: 'SelfServiceAreas' });

/**
 * FLG's partner self-service: for lead types marked self-service, a receiving partner adds or
 * removes the lead type, and the areas it covers, at the lead type's default price. Each change is
 * an assignment in the lead type's self-service profile, so routing treats it like any other, and
 * the operators are told.
 */
export function selfServiceRoutes({ sql, notifier, operatorEmail, logger }: AppDeps) {
  const receivingPartner = async (principal: Principal | null): Promise<Partner> => {
    const partner = principal?.partnerId ? await getPartner(sql, principal.partnerId) : undefined;
    if (!partner) throw notFound('partner for this key');
    if (partner.type === 'introducer') throw new HttpError(403, 'forbidden', 'this partner only introduces leads; ask your operator to let it receive them');
    return partner;
  };
  const selfServed = async (id: string): Promise<LeadTypeRecord & { selfService: SelfService }> => {
    const leadType = await getLeadType(sql, id);
    if (!leadType?.selfService) throw notFound(`self-service lead type ${id}`);
    return leadType as LeadTypeRecord & { selfService: SelfService };
  };
  const assignmentOf = async (partnerId: string, selfService: SelfService) =>
    (await listAssignments(sql, { profileIds: [selfService.profileId], partnerId }))[0];
  const view = (leadType: LeadTypeRecord & { selfService: SelfService }, assignment: Awaited<ReturnType<typeof assignmentOf>>) => ({
    leadTypeId: leadType.id, name: leadType.name, priceMinor: leadType.defaultPriceMinor, areaField: leadType.selfService.areaField,
    subscribed: assignment !== undefined, areas: assignment ? areasOf(leadType.selfService.areaField, assignment.rules) : [],
  });
  const tellOperators = async (partner: Partner, what: string) => {
    if (!notifier || !operatorEmail) return;
    await notifier
      .email({ to: operatorEmail, subject: `leadrelay: ${partner.name} ${what}`, text: `${partner.name} (partner ${partner.id}) ${what} in its portal.` })
      .catch((err: Error) => logger.warn({ err, partnerId: partner.id }, 'self-service notice not sent'));
  };

  return [
    defineRoute({
      method: 'get',
      path: '/portal/lead-types',
      summary: 'Lead types you may take yourself, and the areas you cover',
      tags: ['portal'],
      auth: ['partner'],
      responses: { 200: { description: 'Self-service lead types', schema: z.object({ items: z.array(selfServedSchema) }) } },
      handler: async ({ principal }) => {
        const partner = await receivingPartner(principal);
        const types = (await listLeadTypes(sql)).filter((t): t is LeadTypeRecord & { selfService: SelfService } => !!t.selfService);
        return { items: await Promise.all(types.map(async (t) => view(t, await assignmentOf(partner.id, t.selfService)))) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/portal/lead-types/:id',
      summary: 'Take a self-service lead type, in these areas (none: everywhere)',
      tags: ['portal'],
      auth: ['partner'],
      params: idParams('lead type'),
      body: areasBody,
      responses: { 200: { description: 'What you now take', schema: selfServedSchema }, 404: { description: 'No such self-service lead type' } },
      handler: async ({ principal, params, body }) => {
        const partner = await receivingPartner(principal);
        const leadType = await selfServed(params.id);
        const rules = areaRules(leadType.selfService.areaField, body.areas);
        const existing = await assignmentOf(partner.id, leadType.selfService);
        const saved = existing
          ? await updateAssignment(sql, existing.id, { ...existing, rules })
          : await insertAssignment(sql, randomUUID(), { profileId: leadType.selfService.profileId, partnerId: partner.id, priority: 0, priceMinor: null, rules, caps: NO_CAPS });
        await tellOperators(partner, `now takes ${leadType.name} leads ${body.areas.length ? `in ${body.areas.join(', ')}` : 'everywhere'}`);
        return view(leadType, saved);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/portal/lead-types/:id',
      summary: 'Stop taking a self-service lead type',
      tags: ['portal'],
      auth: ['partner'],
      params: idParams('lead type'),
      status: 204,
      responses: { 204: { description: 'Removed' }, 404: { description: 'No such self-service lead type, or you do not take it' } },
      handler: async ({ principal, params }) => {
        const partner = await receivingPartner(principal);
        const leadType = await selfServed(params.id);
        const existing = await assignmentOf(partner.id, leadType.selfService);
        if (!existing || !(await deleteAssignment(sql, existing.id))) throw notFound(`your ${leadType.name} assignment`);
        await tellOperators(partner, `no longer takes ${leadType.name} leads`);
        return undefined;
      },
    }),
  ];
}
