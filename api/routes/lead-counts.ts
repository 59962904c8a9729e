import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { leadCounts } from '../../db/lead-counts';

const perStatus = z.array(z.object({ status: z.string(), leads: z.number().int() }));
const countsSchema = z
  .object({
    now: perStatus.meta({ description: 'Every lead, by its status now' }),
    today: perStatus.meta({ description: 'Leads created today (from todayStartsAt), by their status now' }),
    todayStartsAt: z.string().meta({ description: 'Midnight on the billing timezone' }),
  })
  .meta({ id: 'LeadCounts' });

export function leadCountRoutes({ sql, billingTimezone = 'Europe/London' }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/reports/lead-counts',
      summary: 'Leads per status: all of them, and those created today',
      description: "The operator dashboard's counts; today starts at midnight on the billing timezone.",
      tags: ['reports'],
      auth: ['operator'],
      responses: { 200: { description: 'Counts per status', schema: countsSchema } },
      handler: () => leadCounts(sql, billingTimezone),
    }),
  ];
}
