import { z } from 'zod';
import type { Request, Response } from 'express';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { REVENUE_GROUPS, revenueCsv, revenueReport, type RevenueGroup } from '../../db/revenue';

const day = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });
const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

const reportQuery = (groups: readonly [RevenueGroup, ...RevenueGroup[]]) =>
  z
    .strictObject({ from: day, to: day, groupBy: z.enum(groups, { error: `must be one of ${groups.join(', ')}` }).default(groups[0]) })
    .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_DAYS, { path: ['to'], message: `the range must be at most ${MAX_DAYS} days` });

const rowSchema = z.object({
  key: z.string().nullable().meta({ description: 'Partner, profile or lead type id, or the day; null where none is known' }),
  label: z.string().nullable(),
  currency: z.string(),
  deliveries: z.number().int(),
  accepted: z.number().int(),
  returned: z.number().int().meta({ description: 'Returns approved (credited) in the range' }),
  won: z.number().int().meta({ description: "Receivers' outcomes reported as won in the range" }),
  lost: z.number().int().meta({ description: "Receivers' outcomes reported as lost in the range" }),
  wonValueMinor: z.number().int().meta({ description: 'The value receivers reported for their won leads (their revenue, not ours)' }),
  grossMinor: z.number().int().meta({ description: 'Charges' }),
  creditsMinor: z.number().int().meta({ description: 'Credits for returned leads' }),
  netMinor: z.number().int(),
});
const reportSchema = z.object({ from: z.string(), to: z.string(), groupBy: z.enum(REVENUE_GROUPS), timezone: z.string(), rows: z.array(rowSchema) }).meta({ id: 'RevenueReport' });
const responses = {
  200: { description: 'JSON, or CSV (one row per group and currency) when asked with Accept: text/csv', schema: reportSchema },
};
const description = 'Days from `from` to `to` inclusive, on the billing timezone. Money comes from the ledger, so it reconciles with statements, invoices and credit notes.';

export function reportRoutes({ sql, billingTimezone = 'Europe/London' }: AppDeps) {
  const ownId = (principal: Principal | null) => principal?.partnerId ?? Promise.reject(notFound('partner for this key'));
  const answer = async (q: { from: string; to: string; groupBy: RevenueGroup }, req: Request, res: Response, partnerId?: string) => {
    const rows = await revenueReport(sql, { ...q, timezone: billingTimezone, partnerId });
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv').attachment(`revenue-${q.from}-${q.to}-${q.groupBy}.csv`).send(revenueCsv(rows));
      return undefined;
    }
    return { ...q, timezone: billingTimezone, rows };
  };

  return [
    defineRoute({
      method: 'get',
      path: '/reports/revenue',
      summary: 'Revenue by partner, profile, lead type or day: deliveries, accepted, returned, gross, credits, net',
      description,
      tags: ['reports'],
      auth: ['operator'],
      query: reportQuery(REVENUE_GROUPS),
      responses,
      handler: ({ query, req, res }) => answer(query, req, res),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/reports',
      summary: 'Your own revenue report, by lead type or day',
      description,
      tags: ['portal', 'reports'],
      auth: ['partner'],
      query: reportQuery(['leadType', 'day']),
      responses,
      handler: async ({ query, req, res, principal }) => answer(query, req, res, await ownId(principal)),
    }),
  ];
}
