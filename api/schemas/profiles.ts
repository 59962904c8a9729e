import { z } from 'zod';
import { APPOINTMENT_CHARGE, CHARGE_ON } from '../../domain/config';
import { STRATEGIES } from '../../domain/config';
import { capsSchema, minor, text, uuid } from './common';
import { rulesSchema } from './rules';

const profileShape = {
  name: text(200),
  description: z.string().max(5000).nullable(),
  enabled: z.boolean(),
  strategy: z.enum(STRATEGIES).meta({ description: 'first_match: the best-priority eligible partner, then the next on decline; send_to_all: every eligible partner up to the referral scope' }),
  rules: rulesSchema,
  referralScope: z.number().int().min(1).max(100).nullable().meta({ description: "Overrides the lead type's referral scope; null: use it" }),
};

export const createProfileBody = z
  .strictObject({
    leadTypeId: uuid('lead type'),
    ...profileShape,
    description: profileShape.description.default(null),
    enabled: profileShape.enabled.default(true),
    rules: profileShape.rules.default([]),
    referralScope: profileShape.referralScope.default(null),
  })
  .meta({ id: 'CreateProfile' });

export const updateProfileBody = z.strictObject(profileShape).partial().meta({ id: 'UpdateProfile' });

export const profileSchema = z
  .object({ id: z.uuid(), leadTypeId: z.uuid(), ...profileShape, configVersion: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Profile' });

export const profileListQuery = z.strictObject({ leadTypeId: uuid('lead type').optional() });

const assignmentShape = {
  priority: z.number().int().min(-1_000_000).max(1_000_000).meta({ description: 'Higher is preferred' }),
  priceMinor: minor('priceMinor').nullable().meta({ description: "Price per lead in minor units of the partner currency; null: the lead type's default" }),
  rules: rulesSchema,
  caps: capsSchema.meta({ description: "This assignment's own caps, on top of the partner's" }),
  chargeOn: z.enum(CHARGE_ON).meta({ description: "When the partner is charged: on acceptance (the default), or on delivery, when it counts as taken at once" }),
  appointmentCharge: z.enum(APPOINTMENT_CHARGE).meta({
    description: 'For an appointment lead type: booked (the default) charges when the partner takes the lead; kept locks the price then but charges it only once the appointment is attended or kept (its grace period passed), never for a no-show or a cancel',
  }),
};

export const createAssignmentBody = z
  .strictObject({
    partnerId: uuid('partner'),
    priority: assignmentShape.priority.default(0),
    priceMinor: assignmentShape.priceMinor.default(null),
    rules: assignmentShape.rules.default([]),
    caps: capsSchema.default({ day: null, week: null, month: null, lifetime: null }),
    chargeOn: assignmentShape.chargeOn.default('acceptance'),
    appointmentCharge: assignmentShape.appointmentCharge.default('booked'),
  })
  .meta({ id: 'CreateAssignment' });

export const updateAssignmentBody = z.strictObject(assignmentShape).partial().meta({ id: 'UpdateAssignment' });

export const assignmentSchema = z
  .object({ id: z.uuid(), profileId: z.uuid(), partnerId: z.uuid(), ...assignmentShape, configVersion: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Assignment' });

export const assignmentListQuery = z.strictObject({ partnerId: uuid('partner').optional() });
