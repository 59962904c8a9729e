import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { loadRoutingConfig } from '../../db/routing-config';
import { evaluateEligibility } from '../../domain/eligibility';
import { parseLeadFields } from '../schemas/lead-fields';
import { rulesResultSchema } from '../schemas/rules';
import { liveCapacityChecker } from '../capacity-checker';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { partnerStartFromDb } from '../../db/partner-ledger';

const dryRunBody = z
  .strictObject({
    leadType: z.string().min(1).max(100).meta({ description: 'Lead type name', example: 'mortgage' }),
    fields: z.record(z.string(), z.unknown()).default({}).meta({ example: { postcode: 'SW1A 1AA', loanAmount: 250000 } }),
  })
  .meta({ id: 'DryRun' });

const checkSchema = z.object({ criterion: z.string(), passed: z.boolean(), actual: z.unknown(), detail: z.string() });

const reportSchema = z
  .object({
    leadType: z.string(),
    profiles: z.array(
      z.object({
        profileId: z.uuid(),
        name: z.string(),
        strategy: z.string(),
        referralScope: z.number().int().nullable(),
        profileRules: rulesResultSchema,
        assignments: z.array(
          z.object({
            assignmentId: z.uuid(),
            partnerId: z.uuid(),
            partnerName: z.string(),
            priority: z.number().int(),
            priceMinor: z.number().int(),
            eligible: z.boolean(),
            partnerRules: rulesResultSchema,
            checks: z.array(checkSchema),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'EligibilityReport' });

export function dryRunRoutes({ sql, temporal, taskQueue }: AppDeps) {
  const partners = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql));
  return [
    defineRoute({
      method: 'post',
      path: '/dry-run',
      summary: 'Which partners would get this lead, and why not the others',
      description:
        'Evaluates field values against every assignment of every enabled profile of the lead type, without creating a lead: each rule condition with its expected and actual value, partner status, delivery method, FCA number and schedule (now), and what each partner\'s capacity workflow would answer now (pause, caps per window, credit) without reserving anything.',
      tags: ['dry run'],
      auth: ['operator', 'agent'],
      body: dryRunBody,
      responses: { 200: { description: 'Eligibility report', schema: reportSchema }, 404: { description: 'No such lead type' } },
      handler: async ({ body }) => {
        const config = await loadRoutingConfig(sql, body.leadType);
        if (!config) throw notFound(`lead type "${body.leadType}"`);
        const fields = parseLeadFields(config.leadType.fields, body.fields);
        const at = new Date();
        return evaluateEligibility(config, fields, { at, capacity: await liveCapacityChecker(sql, partners, config, at) });
      },
    }),
  ];
}
