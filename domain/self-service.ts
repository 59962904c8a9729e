import type { Rules } from './rules';

/**
 * A self-served partner's areas as assignment rules: one group per area (groups are ORed), each a
 * prefix of the lead type's area field. No areas: the whole country.
 */
export const areaRules = (areaField: string, areas: readonly string[]): Rules =>
  areas.map((area) => ({ conditions: [{ field: areaField, operator: 'starts_with' as const, value: area }] }));

/** The areas back out of rules written by areaRules; rules an operator wrote some other way yield none. */
export const areasOf = (areaField: string, rules: Rules): string[] =>
  rules.flatMap((g) => (g.conditions.length === 1 && g.conditions[0]!.field === areaField && g.conditions[0]!.operator === 'starts_with' ? [String(g.conditions[0]!.value)] : []));
