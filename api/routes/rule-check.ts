import type { Sql } from '../../db/client';
import { getLeadType, type LeadTypeRecord } from '../../db/lead-types';
import { validateRules, type Rules } from '../../domain/rules';
import { notFound } from '../http-error';
import { invalid } from '../validation';

/** Refuses rules that name unknown or encrypted fields of the lead type, or values their operator can't use. */
export function assertRulesValid(rules: Rules | undefined, leadType: LeadTypeRecord, at = 'body.rules'): void {
  if (!rules) return;
  const problems = validateRules(rules, leadType.fields).map((p) => ({ field: `${at}.${p.path}`, reason: p.reason }));
  if (problems.length > 0) throw invalid(problems);
}

export async function requireLeadType(sql: Sql, id: string): Promise<LeadTypeRecord> {
  const leadType = await getLeadType(sql, id);
  if (!leadType) throw notFound(`lead type ${id}`);
  return leadType;
}
