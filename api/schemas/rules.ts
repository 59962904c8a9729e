import { z } from 'zod';
import { OPERATORS } from '../../domain/rules';

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const conditionSchema = z
  .strictObject({
    field: z.string().min(1).max(100).meta({ description: 'A non-encrypted field of the lead type' }),
    operator: z.enum(OPERATORS),
    value: z
      .union([scalar, z.array(scalar).max(1000)])
      .optional()
      .meta({ description: 'between: [min, max] (inclusive); in / not_in: a list; is_empty / is_not_empty: none; otherwise one value' }),
  })
  .meta({ id: 'Condition', example: { field: 'postcode', operator: 'starts_with', value: 'SW' } });

export const rulesSchema = z
  .array(z.strictObject({ conditions: z.array(conditionSchema).min(1, 'a group needs at least one condition').max(50) }).meta({ id: 'RuleGroup' }))
  .max(50)
  .meta({
    id: 'Rules',
    description:
      'Conditions in a group must all pass (AND); the rules pass when any group does (OR); no groups means no restriction. Text comparisons ignore case; a missing value fails every operator except is_empty, not_equals, not_contains and not_in.',
  });

const scalarResult = z.union([scalar, z.array(scalar), z.null()]);

export const rulesResultSchema = z
  .object({
    passed: z.boolean(),
    groups: z.array(
      z.object({
        passed: z.boolean(),
        conditions: z.array(z.object({ field: z.string(), operator: z.enum(OPERATORS), expected: scalarResult, actual: z.unknown(), passed: z.boolean() })),
      }),
    ),
  })
  .meta({ id: 'RulesResult' });
