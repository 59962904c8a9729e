import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { unique } from '../validation';
import { insertPartner } from '../../db/partners';
import { noCaps } from '../schemas/common';
import { signupBody } from '../schemas/partners';

export function signupRoutes({ sql }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/signup/partners',
      summary: 'Partner self sign-up',
      description: 'Creates a partner in status pending; it receives nothing until an operator activates it and gives it a delivery method.',
      tags: ['signup'],
      auth: 'public',
      body: signupBody,
      status: 201,
      responses: {
        201: { description: 'Signed up, pending activation', schema: z.object({ id: z.uuid(), status: z.literal('pending') }) },
        409: { description: 'Name already taken' },
      },
      handler: async ({ body }) => {
        const partner = await unique(
          insertPartner(sql, randomUUID(), {
            ...body,
            status: 'pending',
            notes: null,
            tags: [],
            delivery: null,
            caps: noCaps,
            schedule: { type: 'always' },
            creditLimitMinor: null,
            lowFundsThresholdMinor: null,
            transferPhone: null,
            smsNumber: null,
          }),
          `a partner named "${body.name}" already exists`,
        );
        return { id: partner.id, status: 'pending' as const };
      },
    }),
  ];
}
