import type { Caps } from './config';

/** Why a partner's capacity workflow refused a lead. */
export type DenyReason = 'cap_full' | 'credit_exhausted' | 'paused' | 'outside_schedule' | 'inactive';
export type CapWindow = 'day' | 'week' | 'month' | 'lifetime';

export interface ReserveRequest {
  leadId: string;
  partnerId: string;
  assignmentId: string;
  priceMinor: number;
  currency: string;
  /** The assignment's own caps, applied alongside the partner's. */
  assignmentCaps: Caps | null;
  /** How long the hold lasts unless committed or released: covers delivery and the acceptance window. */
  holdSeconds: number;
}

export type ReserveResult =
  | { granted: true; reservationId: string; expiresAt: string }
  | { granted: false; reason: DenyReason; window?: CapWindow; detail: string };

export interface SettleRequest { partnerId: string; reservationId: string; leadId: string }

/** A reservation id is derived from the lead and partner, so a retried reserve finds the hold it already made. */
export const reservationIdFor = (leadId: string, partnerId: string) => `${leadId}/${partnerId}`;
