import type { FieldDef, ReferralMethod } from './lead-type-fields';
import type { Rules } from './rules';
import type { DeliverySchedule } from './schedule';
import type { FieldMapping, WebhookFormat } from './delivery-formats';
import type { CircuitBreakerSettings, CircuitRecord } from './circuit';

/** The configuration model, as plain JSON-serialisable objects (what a lead workflow snapshots). */

export interface LeadType {
  id: string;
  name: string;
  fields: FieldDef[];
  referralMethod: ReferralMethod;
  defaultPriceMinor: number;
  /** The most partners one lead may go to; null: no limit. */
  referralScope: number | null;
  /** How long a lead waits for a manual referral (or an appointment or transfer) before it expires. */
  referralDeadlineSeconds?: number;
  /** Null: a delivery counts as accepted on delivery. */
  acceptanceWindowSeconds: number | null;
  fcaRequired: boolean;
  /** Whether introducers see which partners took their leads; no when absent. */
  introducerSeesPartners?: boolean;
  /** A lead whose return is approved goes to the next eligible partner that has not had it; no when absent. */
  reofferReturnedLeads?: boolean;
  /** Partners may take this lead type, and choose their areas, themselves (null or absent: they may not). */
  selfService?: SelfService | null;
  configVersion: number;
}

/** Where self-served assignments live, and the lead field whose prefix an area is (a postcode, say). */
export interface SelfService { profileId: string; areaField: string }

/** Unset (null) means unlimited; 0 means paused. */
export interface Caps {
  day: number | null;
  week: number | null;
  month: number | null;
  lifetime: number | null;
}

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface Billing {
  legalName: string;
  address: PostalAddress;
  vatId?: string;
  paymentTermsDays: number;
  /** ISO 4217; prices for this partner are in this currency. */
  currency: string;
}

/** How to read accept, decline and a reason from a partner's answer, in its own terms. */
export type AnswerRules =
  | { type: 'json' | 'xpath'; decision: string; accept: string[]; decline: string[]; reason?: string }
  | { type: 'regex'; accept: string; decline: string; reason?: string };

export interface WebhookDelivery {
  type: 'webhook';
  method: 'POST' | 'PUT' | 'PATCH';
  /** May hold {{variables}}, percent-encoded where they land. */
  url: string;
  /** Values may hold {{variables}}. */
  headers: Record<string, string>;
  /** Json when absent (partners saved before formats existed). */
  format?: WebhookFormat;
  soapAction?: string;
  bodyTemplate?: string;
  fieldMapping?: FieldMapping;
  answer?: AnswerRules;
  timeoutMs: number;
  signingSecret: string;
  /** The secret a rotation replaced, still signing beside the new one until `validUntil`, so the partner can switch over. */
  previousSigningSecret?: { secret: string; validUntil: string };
  maxAttempts: number;
}

export interface EmailDelivery {
  type: 'email';
  addresses: string[];
  subject?: string;
  bodyTemplate?: string;
}

/** The lead waits in the partner's portal (GET /portal/leads); an email tells the partner it is there when it wants one. */
export interface PortalDelivery {
  type: 'portal';
  notifyByEmail: boolean;
}

export type DeliveryMethod = WebhookDelivery | EmailDelivery | PortalDelivery;

export const PARTNER_STATUSES = ['pending', 'active', 'inactive'] as const;
/** FLG's partner type: it receives leads, introduces them, or both. */
export const PARTNER_TYPES = ['receiver', 'introducer', 'both'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export interface Partner {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  address: PostalAddress | null;
  notes: string | null;
  tags: string[];
  status: PartnerStatus;
  timezone: string;
  billing: Billing | null;
  delivery: DeliveryMethod | null;
  caps: Caps;
  schedule: DeliverySchedule;
  /** Null: no credit limit. */
  creditLimitMinor: number | null;
  lowFundsThresholdMinor: number | null;
  transferPhone: string | null;
  smsNumber: string | null;
  fcaNumber: string | null;
  /** A receiver when absent. */
  type?: PartnerType;
  /** When its endpoint is skipped after failing; the defaults when absent. */
  circuitBreaker?: CircuitBreakerSettings | null;
  /** The lead types an introducer may submit. */
  introducerLeadTypeIds?: string[];
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

export const STRATEGIES = ['first_match', 'send_to_all'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Profile {
  id: string;
  leadTypeId: string;
  name: string;
  description: string | null;
  enabled: boolean;
  strategy: Strategy;
  rules: Rules;
  /** Overrides the lead type's referral scope when set. */
  referralScope: number | null;
  configVersion: number;
}

export interface Assignment {
  id: string;
  profileId: string;
  partnerId: string;
  /** Higher is preferred. */
  priority: number;
  /** Null: the lead type's default price. */
  priceMinor: number | null;
  rules: Rules;
  caps: Caps;
  /** When the partner is charged: when it accepts (the default), or as soon as it has the lead. */
  chargeOn?: ChargeOn;
  /** For an appointment lead type: charged when the partner takes the lead (the default), or only once the appointment is kept. */
  appointmentCharge?: AppointmentCharge;
  configVersion: number;
}

export const CHARGE_ON = ['acceptance', 'delivery'] as const;
export type ChargeOn = (typeof CHARGE_ON)[number];
export const APPOINTMENT_CHARGE = ['booked', 'kept'] as const;
export type AppointmentCharge = (typeof APPOINTMENT_CHARGE)[number];

/** Everything a lead workflow needs to route one lead, captured at one moment. */
export interface RoutingConfig {
  leadType: LeadType;
  profiles: Array<Profile & { assignments: Array<Assignment & { partner: Partner }> }>;
  /** Live: the circuits of partners whose endpoints have been failing, by partner id. */
  circuits?: Record<string, CircuitRecord>;
}
