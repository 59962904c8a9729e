/** Where a lead is in its life; the last five are final. */
export type LeadStatus =
  | 'received'
  | 'routing'
  | 'awaiting_referral'
  | 'delivering'
  | 'awaiting_response'
  | 'no_eligible_partner'
  | 'delivered'
  | 'declined_everywhere'
  | 'cancelled'
  | 'expired';

export const FINAL_STATUSES: readonly LeadStatus[] = ['no_eligible_partner', 'delivered', 'declined_everywhere', 'cancelled', 'expired'];
export const isFinal = (status: LeadStatus) => FINAL_STATUSES.includes(status);

export type DeliveryStatus =
  | 'reserving'
  | 'denied'
  | 'delivering'
  | 'awaiting_response'
  | 'accepted'
  | 'declined'
  | 'expired'
  | 'failed'
  | 'withdrawn';

export interface DeliveryState {
  partnerId: string;
  partnerName: string;
  assignmentId: string;
  status: DeliveryStatus;
  /** Locked when the lead is delivered; later price changes never alter it. */
  priceMinor: number;
  currency: string;
  attempts: number;
  reason?: string;
  /** Workflow time the acceptance window closes, while awaiting a response. */
  respondBy?: string;
}

export interface LeadState {
  leadId: string;
  status: LeadStatus;
  reason?: string;
  deliveries: DeliveryState[];
}

export type Decision = 'accept' | 'decline';
