import { z } from 'zod';
import type { AppDeps } from '../app';
import { createApiKey } from '../auth';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { conflict } from '../validation';
import { listApiKeys, revokeApiKey, ROLES } from '../../db/api-keys';
import { getPartner } from '../../db/partners';
import { idParams, text, uuid } from '../schemas/common';

const createKeyBody = z
  .strictObject({
    name: text(200).meta({ description: 'Who or what holds the key', example: 'Call centre, team A' }),
    role: z.enum(ROLES).meta({ description: 'operator: configuration; agent: leads, referrals, appointments, transfers; partner: its own data only' }),
    partnerId: uuid('partner').optional().meta({ description: 'Required for, and only for, a partner key' }),
    reveal: z.boolean().default(false).meta({ description: 'Agent keys only: see sealed lead fields in clear (each view is written to the lead\'s audit trail); otherwise agents see them masked' }),
  })
  .superRefine((k, ctx) => {
    if (k.role === 'partner' && !k.partnerId) ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'a partner key needs the partner it belongs to' });
    if (k.role !== 'partner' && k.partnerId) ctx.addIssue({ code: 'custom', path: ['partnerId'], message: `only partner keys belong to a partner, not ${k.role} keys` });
    if (k.reveal && k.role !== 'agent') ctx.addIssue({ code: 'custom', path: ['reveal'], message: `only agent keys take the reveal permission: ${k.role === 'operator' ? 'operators see sealed fields anyway' : 'a partner sees the fields of its own leads anyway'}` });
  })
  .meta({ id: 'CreateApiKey' });

const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(ROLES),
    partnerId: z.uuid().nullable(),
    keyPrefix: z.string(),
    canReveal: z.boolean(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const listQuery = z.strictObject({
  role: z.enum(ROLES).optional(),
  partnerId: uuid('partner').optional(),
  includeRevoked: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export function apiKeyRoutes({ sql }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api-keys',
      summary: 'Issue an API key',
      description: 'The key is in this response only; it is stored hashed and cannot be shown again.',
      tags: ['api keys'],
      auth: ['operator'],
      body: createKeyBody,
      status: 201,
      responses: { 201: { description: 'Issued', schema: apiKeySchema.extend({ key: z.string() }) }, 404: { description: 'No such partner' } },
      handler: async ({ body }) => {
        if (body.partnerId && !(await getPartner(sql, body.partnerId))) throw notFound(`partner ${body.partnerId}`);
        const { key, record } = await createApiKey(sql, { name: body.name, role: body.role, partnerId: body.partnerId ?? null, canReveal: body.reveal });
        return { ...record, key };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api-keys',
      summary: 'API keys, without their secrets',
      tags: ['api keys'],
      auth: ['operator'],
      query: listQuery,
      responses: { 200: { description: 'Oldest first', schema: z.array(apiKeySchema) } },
      handler: async ({ query }) => listApiKeys(sql, query),
    }),
    defineRoute({
      method: 'delete',
      path: '/api-keys/:id',
      summary: 'Revoke an API key',
      tags: ['api keys'],
      auth: ['operator'],
      params: idParams('API key'),
      responses: { 200: { description: 'Revoked', schema: apiKeySchema }, 404: { description: 'No such key' }, 409: { description: 'It is the last active operator key' } },
      handler: async ({ params }) => {
        const revoked = await revokeApiKey(sql, params.id);
        if (revoked === 'last_operator') throw conflict('this is the last active operator key: create another operator key before revoking it, or nobody could get back in');
        return revoked ?? Promise.reject(notFound(`API key ${params.id}`));
      },
    }),
  ];
}
