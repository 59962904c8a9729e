import type { Sql } from '../../db/client';
import { allLeadFieldNames } from '../../db/lead-types';
import type { DeliveryMethod } from '../../domain/config';
import { unknownTemplateVariables } from '../../domain/templates';
import type { FieldProblem } from '../http-error';
import { invalid } from '../validation';

/**
 * A partner serves any lead type, so its templates are checked against the fields of all lead
 * types together (plus the built-in variables): a typo is caught, and a field that only some
 * lead types carry renders empty for the others.
 */
export async function assertTemplatesKnown(sql: Sql, delivery: DeliveryMethod | null | undefined, at = 'body.delivery'): Promise<void> {
  if (!delivery || delivery.type === 'portal') return;
  const fixed = delivery.type === 'webhook' ? Object.keys(delivery.fieldMapping?.fixed ?? {}) : [];
  const known = new Set([...(await allLeadFieldNames(sql)), ...fixed]);
  const problems: FieldProblem[] = [];
  const check = (name: string, template: string | undefined) => {
    const unknown = template === undefined ? [] : unknownTemplateVariables(template, known);
    if (unknown.length > 0) problems.push({ field: `${at}.${name}`, reason: `refers to unknown lead fields: ${unknown.map((v) => `{{${v}}}`).join(', ')}` });
  };
  check('bodyTemplate', delivery.bodyTemplate);
  if (delivery.type === 'email') check('subject', delivery.subject);
  if (delivery.type === 'webhook') {
    check('url', delivery.url);
    for (const [name, value] of Object.entries(delivery.headers)) check(`headers.${name}`, value);
  }
  if (problems.length > 0) throw invalid(problems);
}

/** Every lead type an introducer is allowed must exist. */
export async function assertLeadTypesExist(sql: Sql, ids: readonly string[] | undefined, at = 'body.introducerLeadTypeIds'): Promise<void> {
  if (!ids?.length) return;
  const found = new Set((await sql<{ id: string }[]>`select id from lead_types where id = any(${ids as string[]}::uuid[])`).map((r) => r.id));
  const problems = ids.flatMap((id, i) => (found.has(id) ? [] : [{ field: `${at}.${i}`, reason: `no lead type ${id}` }]));
  if (problems.length > 0) throw invalid(problems);
}
