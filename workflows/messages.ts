import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Decision, LeadState } from '../domain/lead-state';

export const leadStateQuery = defineQuery<LeadState>('leadState');

export interface ReferInput {
  /** One partner, as the first referral API took it. */
  partnerId?: string;
  /** Partners an agent names: each is offered the lead, up to the referral scope. */
  partnerIds?: string[];
  referredBy: string;
}
export interface ReferResult { partners: string[] }
/**
 * An agent's manual referral. An update, because the agent waits for the answer: the lead is judged
 * again as it is now, and a named partner that can't take it is refused with the reason.
 */
export const referUpdate = defineUpdate<ReferResult, [ReferInput]>('refer');

export interface RespondInput { partnerId: string; decision: Decision; reason?: string }
/**
 * A partner's answer within the acceptance window. An update, because the partner is told the
 * outcome: an acceptance answers only once the charge has landed.
 */
export const respondUpdate = defineUpdate<{ status: 'accepted' | 'declined' }, [RespondInput]>('respond');

export interface CancelInput { reason: string; cancelledBy: string }
/** Ends the lead in any state but a final one; an update, so the caller learns at once if it was too late. */
export const cancelUpdate = defineUpdate<{ status: 'cancelled' }, [CancelInput]>('cancel');
