import { z } from 'zod';
import type { FieldDef } from '../../domain/lead-type-fields';

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
