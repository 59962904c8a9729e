/** Where a lead is in its life; the last four are final. */
export type LeadStatus =
  | 'received'
  | 'routing'
  | 'no_eligible_partner'
  | 'delivered'
  | 'declined_everywhere'
  | 'cancelled';

export const FINAL_STATUSES: readonly LeadStatus[] = ['no_eligible_partner', 'delivered', 'declined_everywhere', 'cancelled'];

export interface LeadState {
  leadId: string;
  status: LeadStatus;
  reason?: string;
}
