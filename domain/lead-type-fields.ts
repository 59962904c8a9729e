/** The field schema of a lead type: what a lead of that type carries. */
export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  name: string;
  type: FieldType;
  required: boolean;
  /** Personal data: never usable in rules. (Every lead field is encrypted in Temporal payloads; sealing these in PostgreSQL is still to come.) */
  encrypted: boolean;
  /** The allowed values of an enum field. */
  values?: string[];
}

export const REFERRAL_METHODS = ['immediate', 'manual', 'appointment', 'transfer'] as const;
export type ReferralMethod = (typeof REFERRAL_METHODS)[number];
