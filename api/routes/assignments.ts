import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { unique } from '../validation';
import { deleteAssignment, getAssignment, insertAssignment, listAssignments, updateAssignment } from '../../db/assignments';
import { getPartner } from '../../db/partners';
import { getProfile } from '../../db/profiles';
import { idParams } from '../schemas/common';
import { assignmentListQuery, assignmentSchema, createAssignmentBody, updateAssignmentBody } from '../schemas/profiles';
import { assertRulesValid, requireLeadType } from './rule-check';

export function assignmentRoutes({ sql }: AppDeps) {
  const requireProfile = async (id: string) => (await getProfile(sql, id)) ?? Promise.reject(notFound(`profile ${id}`));
  const requireAssignment = async (id: string) => (await getAssignment(sql, id)) ?? Promise.reject(notFound(`assignment ${id}`));

  return [
    defineRoute({
      method: 'post',
      path: '/profiles/:id/assignments',
      summary: 'Assign a partner to a profile, with its priority, price and rules',
      tags: ['assignments'],
      auth: ['operator'],
      params: idParams('profile'),
      body: createAssignmentBody,
      status: 201,
      responses: {
        201: { description: 'Created', schema: assignmentSchema },
        404: { description: 'No such profile or partner' },
        409: { description: 'The partner is already assigned to this profile' },
      },
      handler: async ({ params, body }) => {
        const profile = await requireProfile(params.id);
        if (!(await getPartner(sql, body.partnerId))) throw notFound(`partner ${body.partnerId}`);
        assertRulesValid(body.rules, await requireLeadType(sql, profile.leadTypeId));
        return unique(insertAssignment(sql, randomUUID(), { ...body, profileId: profile.id }), `partner ${body.partnerId} is already assigned to profile ${profile.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/profiles/:id/assignments',
      summary: "A profile's assignments, best priority first",
      tags: ['assignments'],
      auth: ['operator', 'agent'],
      params: idParams('profile'),
      responses: { 200: { description: 'Assignments', schema: z.array(assignmentSchema) }, 404: { description: 'No such profile' } },
      handler: async ({ params }) => {
        await requireProfile(params.id);
        return listAssignments(sql, { profileIds: [params.id] });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/assignments',
      summary: 'Assignments across profiles, optionally of one partner',
      tags: ['assignments'],
      auth: ['operator', 'agent'],
      query: assignmentListQuery,
      responses: { 200: { description: 'Assignments', schema: z.array(assignmentSchema) } },
      handler: async ({ query }) => listAssignments(sql, query),
    }),
    defineRoute({
      method: 'get',
      path: '/assignments/:id',
      summary: 'One assignment',
      tags: ['assignments'],
      auth: ['operator', 'agent'],
      params: idParams('assignment'),
      responses: { 200: { description: 'The assignment', schema: assignmentSchema }, 404: { description: 'No such assignment' } },
      handler: async ({ params }) => requireAssignment(params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/assignments/:id',
      summary: "Change an assignment's priority, price, rules or caps",
      description: 'Prices already locked on delivered leads never change.',
      tags: ['assignments'],
      auth: ['operator'],
      params: idParams('assignment'),
      body: updateAssignmentBody,
      responses: { 200: { description: 'Updated', schema: assignmentSchema }, 404: { description: 'No such assignment' } },
      handler: async ({ params, body }) => {
        const existing = await requireAssignment(params.id);
        if (body.rules) assertRulesValid(body.rules, await requireLeadType(sql, (await requireProfile(existing.profileId)).leadTypeId));
        return (await updateAssignment(sql, params.id, { ...existing, ...body })) ?? Promise.reject(notFound(`assignment ${params.id}`));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/assignments/:id',
      summary: 'Remove a partner from a profile',
      tags: ['assignments'],
      auth: ['operator'],
      params: idParams('assignment'),
      status: 204,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such assignment' } },
      handler: async ({ params }) => {
        if (!(await deleteAssignment(sql, params.id))) throw notFound(`assignment ${params.id}`);
        return undefined;
      },
    }),
  ];
}
