import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { conflict, unique } from '../validation';
import { deletePartner, getPartner, insertPartner, searchPartners, setPartnersStatus, updatePartner } from '../../db/partners';
import { idParams } from '../schemas/common';
import { bulkStatusBody, createPartnerBody, partnerSchema, partnerSearchQuery, updatePartnerBody } from '../schemas/partners';
import { assertLeadTypesExist, assertTemplatesKnown } from './partner-input';
import { deliveryToStore, rotatedSigningSecret, withoutSecrets } from '../partner-secrets';
import { toCapacityConfig } from '../../domain/capacity';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { partnerStartFromDb } from '../../db/partner-ledger';
import { rotateSigningSecret, rotationSchema } from './signing-secret';

const duplicateName = (name: string) => `a partner named "${name}" already exists`;

export function partnerRoutes({ sql, temporal, taskQueue }: AppDeps) {
  const capacity = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql));
  return [
    defineRoute({
      method: 'post',
      path: '/partners',
      summary: 'Add a partner',
      description: 'Created active unless a status is given. Templates may use the fields of any lead type. The webhook signing secret and custom header values are in this response only: afterwards they are write-only.',
      tags: ['partners'],
      auth: ['operator'],
      body: createPartnerBody,
      status: 201,
      responses: { 201: { description: 'Created', schema: partnerSchema }, 409: { description: 'Name already taken' } },
      handler: async ({ body }) => {
        const delivery = deliveryToStore(body.delivery);
        await assertTemplatesKnown(sql, delivery);
        await assertLeadTypesExist(sql, body.introducerLeadTypeIds);
        return unique(insertPartner(sql, randomUUID(), { ...body, delivery }), duplicateName(body.name));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners',
      summary: 'Search partners by name, email, tag and status',
      tags: ['partners'],
      auth: ['operator', 'agent'],
      query: partnerSearchQuery,
      responses: { 200: { description: 'Matching partners, by name', schema: z.object({ items: z.array(partnerSchema), total: z.number().int() }) } },
      handler: async ({ query }) => {
        const found = await searchPartners(sql, query);
        return { ...found, items: found.items.map(withoutSecrets) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id',
      summary: 'One partner',
      tags: ['partners'],
      auth: ['operator', 'agent'],
      params: idParams('partner'),
      responses: { 200: { description: 'The partner', schema: partnerSchema }, 404: { description: 'No such partner' } },
      handler: async ({ params }) => {
        const partner = await getPartner(sql, params.id);
        if (!partner) throw notFound(`partner ${params.id}`);
        return withoutSecrets(partner);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/partners/:id',
      summary: 'Change a partner',
      tags: ['partners'],
      auth: ['operator'],
      params: idParams('partner'),
      body: updatePartnerBody,
      responses: { 200: { description: 'Updated', schema: partnerSchema }, 404: { description: 'No such partner' }, 409: { description: 'Name already taken' } },
      handler: async ({ params, body }) => {
        const existing = await getPartner(sql, params.id);
        if (!existing) throw notFound(`partner ${params.id}`);
        const delivery = body.delivery === undefined ? existing.delivery : deliveryToStore(body.delivery, existing.delivery);
        if (body.delivery !== undefined) await assertTemplatesKnown(sql, delivery);
        await assertLeadTypesExist(sql, body.introducerLeadTypeIds);
        const updated = await unique(updatePartner(sql, params.id, { ...existing, ...body, delivery }), duplicateName(body.name ?? existing.name));
        if (!updated) throw notFound(`partner ${params.id}`);
        // Caps, credit, status, schedule and timezone take effect in the running partner workflow at once.
        await capacity.configChanged(updated.id, toCapacityConfig(updated));
        return withoutSecrets(updated);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/partners/:id/signing-secret',
      summary: "Rotate a partner's webhook signing secret",
      description: 'The new secret is in this response only. For 24 hours webhooks carry two signatures, one with each secret (Standard Webhooks), so the partner can switch over without losing a lead.',
      tags: ['partners'],
      auth: ['operator'],
      params: idParams('partner'),
      responses: { 200: { description: 'Rotated', schema: rotationSchema }, 404: { description: 'No such partner' }, 409: { description: 'The partner has no webhook' } },
      handler: async ({ params }) => rotateSigningSecret(sql, params.id),
    }),
    defineRoute({
      method: 'delete',
      path: '/partners/:id',
      summary: 'Delete a partner created by mistake',
      description: 'Refused with 409 once the partner has delivery history: set it inactive instead, so reports and invoices keep their audit trail.',
      tags: ['partners'],
      auth: ['operator'],
      params: idParams('partner'),
      status: 204,
      responses: { 204: { description: 'Deleted, with its assignments and API keys' }, 404: { description: 'No such partner' }, 409: { description: 'Has delivery history' } },
      handler: async ({ params }) => {
        const outcome = await deletePartner(sql, params.id);
        if (outcome === 'not_found') throw notFound(`partner ${params.id}`);
        if (typeof outcome === 'object') {
          const { deliveries, transactions } = outcome.history;
          throw conflict(`partner ${params.id} has ${deliveries} deliveries and ${transactions} statement transactions, kept for the audit trail and the books; set its status to inactive instead`);
        }
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/partners/bulk-status',
      summary: 'Activate or deactivate several partners at once',
      tags: ['partners'],
      auth: ['operator'],
      body: bulkStatusBody,
      responses: { 200: { description: 'All updated', schema: z.object({ updated: z.array(z.uuid()) }) }, 404: { description: 'Some ids are unknown; nothing changed' } },
      handler: async ({ body }) => {
        const { updated, missing } = await setPartnersStatus(sql, body.ids, body.status);
        if (missing.length > 0) throw new HttpError(404, 'not_found', `unknown partners, nothing changed: ${missing.join(', ')}`);
        for (const id of updated) {
          const partner = await getPartner(sql, id);
          if (partner) await capacity.configChanged(id, toCapacityConfig(partner));
        }
        return { updated };
      },
    }),
  ];
}
