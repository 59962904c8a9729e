import type { Caps, LeadType } from './config';
import type { ReferralPlan } from './referral-plan';

/** How to reach one partner for one assignment, fixed when the lead is judged. */
export interface PartnerRoute {
  assignmentId: string;
  partnerId: string;
  currency: string;
  assignmentCaps: Caps | null;
  channel: 'webhook' | 'email' | 'portal';
  /** When the partner is charged; acceptance when absent. */
  chargeOn?: 'acceptance' | 'delivery';
  /** For a booked appointment: charged when the partner takes the lead (booked, when absent) or once the appointment is kept. */
  appointmentCharge?: 'booked' | 'kept';
  /** Upper bound for one delivery attempt, including recording it. */
  attemptTimeoutMs: number;
  maxAttempts: number;
}

/**
 * What the lead workflow decides on, from one judgement of the lead against the routing
 * configuration. The full report (every criterion for every partner) is kept in PostgreSQL under
 * `reportId`; the history keeps this, which stays small however many partners there are.
 */
export interface LeadJudgement {
  reportId: string;
  judgedAt: string;
  leadType: string;
  referralMethod: LeadType['referralMethod'];
  acceptanceWindowSeconds: number | null;
  referralDeadlineSeconds: number;
  /** The best candidates, at most MAX_CANDIDATES of them. */
  plan: ReferralPlan;
  /** Keyed by assignment id, for the candidates. */
  routes: Record<string, PartnerRoute>;
  /** For each partner a referral named: null when it may take the lead, otherwise why not. */
  named: Record<string, string | null>;
  /** Why nobody may take the lead, when nobody may. */
  noCandidateReason: string | null;
  /** An operator's test lead: delivered for real, never charged, never counted against caps. */
  test?: boolean;
}

/** More partners than this are never offered one lead: each offer costs history events, and a history has a limit. */
export const MAX_CANDIDATES = 200;

/**
 * The status a lead moves to once judged on arrival, when that is decided by the judgement alone: an
 * immediate lead with somebody to offer it to is delivering, any other referral method waits for its
 * referral. Null for an immediate lead nobody may have: it ends, with the reason why.
 */
export function statusAfterArrival(judgement: Pick<LeadJudgement, 'referralMethod' | 'plan'>): 'delivering' | 'awaiting_referral' | null {
  if (judgement.referralMethod !== 'immediate') return 'awaiting_referral';
  return judgement.plan.candidates.length > 0 ? 'delivering' : null;
}
