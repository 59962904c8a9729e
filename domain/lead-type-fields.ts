/** The field schema of a lead type: what a lead of that type carries. */
export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  name: string;
  type: FieldType;
  required: boolean;
  /** Personal data: sealed in PostgreSQL (infra/field-sealing.ts), masked for agents, never usable in rules. */
  encrypted: boolean;
  /** The allowed values of an enum field. */
  values?: string[];
}

export const REFERRAL_METHODS = ['immediate', 'manual', 'appointment', 'transfer'] as const;
export type ReferralMethod = (typeof REFERRAL_METHODS)[number];
