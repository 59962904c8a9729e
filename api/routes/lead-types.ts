import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { conflict, invalid, unique } from '../validation';
import { isReferencedElsewhere } from '../../db/errors';
import { deleteLeadType, getLeadType, insertLeadType, listLeadTypes, updateLeadType } from '../../db/lead-types';
import { getProfile, rulesOfLeadType } from '../../db/profiles';
import type { Sql } from '../../db/client';
import type { SelfService } from '../../domain/config';
import type { FieldDef } from '../../domain/lead-type-fields';
import { validateRules } from '../../domain/rules';
import { idParams } from '../schemas/common';
import { createLeadTypeBody, leadTypeSchema, updateLeadTypeBody } from '../schemas/lead-types';

/** Self-served assignments need a profile of this lead type, and a plain text field to draw areas on. */
async function assertSelfServiceValid(sql: Sql, leadTypeId: string, fields: FieldDef[], selfService: SelfService): Promise<void> {
  const problems = [];
  const profile = await getProfile(sql, selfService.profileId);
  if (profile?.leadTypeId !== leadTypeId) problems.push({ field: 'body.selfService.profileId', reason: `no profile ${selfService.profileId} for this lead type` });
  const field = fields.find((f) => f.name === selfService.areaField);
  if (!field || field.type !== 'string' || field.encrypted) problems.push({ field: 'body.selfService.areaField', reason: `"${selfService.areaField}" is not an unencrypted text field of this lead type` });
  if (problems.length > 0) throw invalid(problems);
}

export function leadTypeRoutes({ sql }: AppDeps) {
  const duplicateName = (name: string) => `a lead type named "${name}" already exists`;

  return [
    defineRoute({
      method: 'post',
      path: '/lead-types',
      summary: 'Define a lead type and its fields',
      tags: ['lead types'],
      auth: ['operator'],
      body: createLeadTypeBody,
      status: 201,
      responses: { 201: { description: 'Created', schema: leadTypeSchema }, 409: { description: 'Name already taken' } },
      handler: async ({ body }) => unique(insertLeadType(sql, randomUUID(), body), duplicateName(body.name)),
    }),
    defineRoute({
      method: 'get',
      path: '/lead-types',
      summary: 'All lead types',
      tags: ['lead types'],
      auth: ['operator', 'agent'],
      responses: { 200: { description: 'By name', schema: z.array(leadTypeSchema) } },
      handler: async () => listLeadTypes(sql),
    }),
    defineRoute({
      method: 'get',
      path: '/lead-types/:id',
      summary: 'One lead type',
      tags: ['lead types'],
      auth: ['operator', 'agent'],
      params: idParams('lead type'),
      responses: { 200: { description: 'The lead type', schema: leadTypeSchema }, 404: { description: 'No such lead type' } },
      handler: async ({ params }) => {
        const found = await getLeadType(sql, params.id);
        if (!found) throw notFound(`lead type ${params.id}`);
        return found;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/lead-types/:id',
      summary: 'Change a lead type',
      description: 'A change to fields is refused while rules of its profiles or assignments use a field it removes or encrypts.',
      tags: ['lead types'],
      auth: ['operator'],
      params: idParams('lead type'),
      body: updateLeadTypeBody,
      responses: { 200: { description: 'Updated', schema: leadTypeSchema }, 404: { description: 'No such lead type' }, 409: { description: 'Name already taken' } },
      handler: async ({ params, body }) => {
        const existing = await getLeadType(sql, params.id);
        if (!existing) throw notFound(`lead type ${params.id}`);
        const next = { ...existing, ...body };
        if (body.fields) {
          const problems = (await rulesOfLeadType(sql, params.id)).flatMap(({ owner, rules }) =>
            validateRules(rules, next.fields).map((p) => ({ field: 'body.fields', reason: `${owner}: ${p.reason}` })),
          );
          if (problems.length > 0) throw invalid(problems);
        }
        if (body.selfService) await assertSelfServiceValid(sql, params.id, next.fields, body.selfService);
        const updated = await unique(updateLeadType(sql, params.id, next), duplicateName(next.name));
        if (!updated) throw notFound(`lead type ${params.id}`);
        return updated;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/lead-types/:id',
      summary: 'Delete a lead type without profiles',
      tags: ['lead types'],
      auth: ['operator'],
      params: idParams('lead type'),
      status: 204,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such lead type' }, 409: { description: 'Profiles still use it' } },
      handler: async ({ params }) => {
        const deleted = await deleteLeadType(sql, params.id).catch((err: unknown) => {
          if (isReferencedElsewhere(err)) throw conflict(`lead type ${params.id} still has distribution profiles; delete them first`);
          throw err;
        });
        if (!deleted) throw notFound(`lead type ${params.id}`);
        return undefined;
      },
    }),
  ];
}
