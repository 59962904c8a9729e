/** Lead returns: a partner's return policy and how one request measures against it, as pure functions. */

export const RETURN_REASONS = ['wrong_number', 'duplicate', 'not_interested', 'out_of_area', 'no_show'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export interface ReturnPolicy {
  /** How long after the charge (the delivery) a lead may be returned. */
  windowHours: number;
  reasons: Array<{ reason: ReturnReason; evidenceRequired: boolean }>;
  /** Returns approved without an operator: within this many hours and for one of these reasons. Null: every return waits for an operator. */
  autoApprove: { withinHours: number; reasons: ReturnReason[] } | null;
  /** The most of a billing month's charged leads that may be returned, in percent. Null: no cap. */
  maxReturnRatePercent: number | null;
  /** How long an operator has to decide; undecided returns then expire, denied. */
  decisionHours: number;
}

export type ReturnStatus = 'pending' | 'approved' | 'denied' | 'expired';

export interface ReturnRequest { reason: string; evidence?: string }

/** What the partner is returning: its charge for the lead. */
export interface ReturnedCharge { chargedAt: Date }

/** This billing month's charges and the returns already asked for in it (denied ones don't count). */
export interface MonthReturns { charged: number; returned: number }

export type ReturnRefusal = { status: 400 | 409 | 422; code: string; field?: string; reason: string };

const HOUR = 3_600_000;

/** Refusal, or whether the return is approved at once (true) or waits for an operator (false). */
export function assessReturn(policy: ReturnPolicy, req: ReturnRequest, charge: ReturnedCharge, month: MonthReturns, now: Date): ReturnRefusal | { autoApprove: boolean } {
  const allowed = policy.reasons.find((r) => r.reason === req.reason);
  if (!allowed) return { status: 400, code: 'validation_failed', field: 'body.reason', reason: `must be one of this partner's return reasons: ${policy.reasons.map((r) => r.reason).join(', ') || 'none'}` };
  if (allowed.evidenceRequired && !req.evidence?.trim()) return { status: 400, code: 'validation_failed', field: 'body.evidence', reason: `is required for ${req.reason}` };
  const ageHours = (now.getTime() - charge.chargedAt.getTime()) / HOUR;
  if (ageHours > policy.windowHours) return { status: 422, code: 'out_of_window', reason: `the return window is ${policy.windowHours} hours after delivery; this lead was delivered ${Math.floor(ageHours)} hours ago` };
  if (policy.maxReturnRatePercent !== null) {
    const cap = Math.floor((month.charged * policy.maxReturnRatePercent) / 100);
    if (month.returned + 1 > cap) return { status: 422, code: 'over_cap', reason: `returns are capped at ${policy.maxReturnRatePercent}% of the month's ${month.charged} charged leads (${cap}); ${month.returned} already returned` };
  }
  const auto = policy.autoApprove;
  return { autoApprove: !!auto && ageHours <= auto.withinHours && auto.reasons.includes(req.reason as ReturnReason) };
}

export const returnWorkflowId = (returnId: string) => `return-${returnId}`;

export interface ReturnDecision { approve: boolean; by: string; note: string }

/** An approved return's lead, offered again: the lead's nth re-offer, excluding the partner that returned it. */
export interface Reoffer { leadId: string; n: number; returningPartnerId: string }
export const reofferWorkflowId = ({ leadId, n }: Pick<Reoffer, 'leadId' | 'n'>) => `reoffer-${leadId}-${n}`;
