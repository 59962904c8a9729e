import { z } from 'zod';
import { FIELD_TYPES, REFERRAL_METHODS } from '../../domain/lead-type-fields';
import { minor, text } from './common';

export const fieldDefSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must start with a letter or _ and contain only letters, digits and _ (it is used as {{name}} in templates)'),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    encrypted: z.boolean().default(false).meta({ description: 'Personal data: sealed in PostgreSQL, masked for agents without the reveal permission, never usable in rules' }),
    values: z.array(z.string().min(1).max(200)).min(1).max(500).optional().meta({ description: 'Allowed values; enum fields only' }),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'enum' && !f.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum field needs its list of values' });
    if (f.type !== 'enum' && f.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'only enum fields take values' });
  })
  .meta({ id: 'FieldDef' });

const fields = z
  .array(fieldDefSchema)
  .max(200)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate field name "${f.name}"` });
      seen.add(f.name);
    });
  });

const selfService = z
    .strictObject({
      profileId: z.uuid({ error: 'must be a profile id (UUID)' }).meta({ description: 'A profile of this lead type; self-served assignments go there' }),
      areaField: z.string().min(1).max(63).meta({ description: 'A text field of this lead type; an area is a prefix of it, e.g. a postcode district' }),
    })
    .nullable()
    .meta({ description: 'Partners may add this lead type, and the areas they cover, themselves, at its default price. Set once the lead type has its profile' });

const shape = {
  name: text(100).meta({ example: 'mortgage' }),
  fields,
  referralMethod: z.enum(REFERRAL_METHODS).meta({ description: 'immediate: on receipt; manual: by an agent; appointment: after one is set; transfer: by telephone' }),
  defaultPriceMinor: minor('defaultPriceMinor').meta({ description: 'Charged per lead when an assignment sets no price, in minor units of the partner currency' }),
  referralScope: z.number().int().min(1, 'must be at least 1').max(100).nullable().meta({ description: 'The most partners one lead may go to; null: no limit' }),
  referralDeadlineSeconds: z.number().int().min(1).max(90 * 86400).meta({ description: 'How long a lead waits for a manual referral (or an appointment or transfer) before it expires' }),
  acceptanceWindowSeconds: z.number().int().positive().max(30 * 86400).nullable().meta({ description: 'Time a partner has to accept; null: accepted on delivery' }),
  fcaRequired: z.boolean().meta({ description: 'Deliver only to partners with an FCA authorisation number' }),
  introducerSeesPartners: z.boolean().meta({ description: 'Whether an introducer sees which partners took the leads it sent (GET /portal/sent)' }),
  reofferReturnedLeads: z.boolean().meta({ description: 'A lead whose return is approved is offered to the next eligible partner that has not had it, reserved and charged as any offer' }),
};

export const createLeadTypeBody = z
  .strictObject({
    ...shape,
    fields: shape.fields.default([]),
    referralScope: shape.referralScope.default(1),
    referralDeadlineSeconds: shape.referralDeadlineSeconds.default(7 * 86400),
    acceptanceWindowSeconds: shape.acceptanceWindowSeconds.default(null),
    fcaRequired: shape.fcaRequired.default(false),
    introducerSeesPartners: shape.introducerSeesPartners.default(false),
    reofferReturnedLeads: shape.reofferReturnedLeads.default(false),
  })
  .meta({ id: 'CreateLeadType' });

export const updateLeadTypeBody = z.strictObject({ ...shape, selfService }).partial().meta({ id: 'UpdateLeadType', description: 'Fields given replace the stored ones; fields replaces the whole list.' });

export const leadTypeSchema = z
  .object({ id: z.uuid(), ...shape, selfService, configVersion: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'LeadType' });
