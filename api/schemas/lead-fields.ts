import { z } from 'zod';
import type { FieldDef } from '../../domain/lead-type-fields';
import { invalid } from '../validation';

function fieldSchema(field: FieldDef): z.ZodType {
  switch (field.type) {
    case 'string': return z.string().max(10_000);
    case 'number': return z.number();
    case 'boolean': return z.boolean();
    case 'date': return z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be an ISO 8601 date (YYYY-MM-DD) or date-time' });
    case 'enum': return z.enum((field.values ?? []) as [string, ...string[]]);
  }
}

/** The schema a lead's fields must satisfy, built from its lead type: types, required fields, enum values, nothing unknown. */
export function leadFieldsSchema(fields: readonly FieldDef[]) {
  return z.strictObject(Object.fromEntries(fields.map((f) => [f.name, f.required ? fieldSchema(f) : fieldSchema(f).optional()])));
}

/** A lead's fields checked against its lead type, or a 400 naming every bad field: the same rules for POST /leads and the dry run. */
export function parseLeadFields(fields: readonly FieldDef[], values: unknown): Record<string, unknown> {
  const parsed = leadFieldsSchema(fields).safeParse(values);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => ({ field: ['body', 'fields', ...i.path.map(String)].join('.'), reason: i.message })));
  return parsed.data;
}
