import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { unique } from '../validation';
import { deleteProfile, getProfile, insertProfile, listProfiles, updateProfile } from '../../db/profiles';
import { idParams } from '../schemas/common';
import { createProfileBody, profileListQuery, profileSchema, updateProfileBody } from '../schemas/profiles';
import { assertRulesValid, requireLeadType } from './rule-check';

const duplicateName = (name: string) => `this lead type already has a profile named "${name}"`;

export function profileRoutes({ sql }: AppDeps) {
  const requireProfile = async (id: string) => (await getProfile(sql, id)) ?? Promise.reject(notFound(`profile ${id}`));

  return [
    defineRoute({
      method: 'post',
      path: '/profiles',
      summary: 'Create a distribution profile for a lead type',
      tags: ['profiles'],
      auth: ['operator'],
      body: createProfileBody,
      status: 201,
      responses: { 201: { description: 'Created', schema: profileSchema }, 404: { description: 'No such lead type' }, 409: { description: 'Name already taken for this lead type' } },
      handler: async ({ body }) => {
        assertRulesValid(body.rules, await requireLeadType(sql, body.leadTypeId));
        return unique(insertProfile(sql, randomUUID(), body), duplicateName(body.name));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/profiles',
      summary: 'Distribution profiles, optionally of one lead type',
      tags: ['profiles'],
      auth: ['operator', 'agent'],
      query: profileListQuery,
      responses: { 200: { description: 'By name', schema: z.array(profileSchema) } },
      handler: async ({ query }) => listProfiles(sql, query),
    }),
    defineRoute({
      method: 'get',
      path: '/profiles/:id',
      summary: 'One distribution profile',
      tags: ['profiles'],
      auth: ['operator', 'agent'],
      params: idParams('profile'),
      responses: { 200: { description: 'The profile', schema: profileSchema }, 404: { description: 'No such profile' } },
      handler: async ({ params }) => requireProfile(params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/profiles/:id',
      summary: 'Change a distribution profile, e.g. enable or disable it',
      tags: ['profiles'],
      auth: ['operator'],
      params: idParams('profile'),
      body: updateProfileBody,
      responses: { 200: { description: 'Updated', schema: profileSchema }, 404: { description: 'No such profile' }, 409: { description: 'Name already taken for this lead type' } },
      handler: async ({ params, body }) => {
        const existing = await requireProfile(params.id);
        assertRulesValid(body.rules, await requireLeadType(sql, existing.leadTypeId));
        const next = { ...existing, ...body };
        return (await unique(updateProfile(sql, params.id, next), duplicateName(next.name))) ?? Promise.reject(notFound(`profile ${params.id}`));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/profiles/:id',
      summary: 'Delete a distribution profile and its assignments',
      description: 'Leads already routing keep the configuration they snapshotted.',
      tags: ['profiles'],
      auth: ['operator'],
      params: idParams('profile'),
      status: 204,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such profile' } },
      handler: async ({ params }) => {
        if (!(await deleteProfile(sql, params.id))) throw notFound(`profile ${params.id}`);
        return undefined;
      },
    }),
  ];
}
