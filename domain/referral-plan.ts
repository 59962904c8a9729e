import type { AssignmentReport, EligibilityReport } from './eligibility';
import type { Strategy } from './config';

export interface Candidate {
  assignmentId: string;
  partnerId: string;
  partnerName: string;
  priceMinor: number;
}

export interface ReferralPlan {
  /** The profile whose strategy and scope apply: the first enabled profile whose rules the lead matches. */
  profileId: string | null;
  strategy: Strategy;
  /** The most partners that may end up with the lead; null: no limit. */
  scope: number | null;
  /**
   * How many offers the first lead workflows kept open at once: 1 for first match, the scope for send
   * to all. Frozen for them (see workflows/legacy); today's workflow reads strategy and scope.
   */
  target: number;
  /** Eligible partners, best first; fall-through takes the next one. */
  candidates: Candidate[];
}

const toCandidate = (a: AssignmentReport): Candidate => ({ assignmentId: a.assignmentId, partnerId: a.partnerId, partnerName: a.partnerName, priceMinor: a.priceMinor });

/**
 * Turns the eligibility report into the ordered list of partners to try. Profiles are taken in
 * report order; a partner appears once, at its best position. Ties in priority were already broken
 * by partner name in the report, so the order is deterministic.
 */
export function planReferral(report: EligibilityReport): ReferralPlan {
  const matching = report.profiles.filter((p) => p.profileRules.passed);
  const first = matching[0];
  if (!first) return { profileId: null, strategy: 'first_match', scope: 1, target: 0, candidates: [] };
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const profile of matching) {
    for (const assignment of profile.assignments) {
      if (!assignment.eligible || seen.has(assignment.partnerId)) continue;
      seen.add(assignment.partnerId);
      candidates.push(toCandidate(assignment));
    }
  }
  const strategy = first.strategy as Strategy;
  const scope = first.referralScope;
  return { profileId: first.profileId, strategy, scope, target: strategy === 'send_to_all' ? (scope ?? candidates.length) : 1, candidates };
}

/** Why a named partner can't take the lead, from the report; undefined when it can. */
export function whyNotEligible(report: EligibilityReport, partnerId: string): string | undefined {
  const rows = report.profiles.flatMap((p) => (p.profileRules.passed ? p.assignments : [])).filter((a) => a.partnerId === partnerId);
  if (rows.length === 0) {
    const anyProfile = report.profiles.some((p) => p.assignments.some((a) => a.partnerId === partnerId));
    return anyProfile ? 'the lead does not match the rules of any profile this partner is assigned to' : 'the partner is not assigned to any enabled profile for this lead type';
  }
  if (rows.some((a) => a.eligible)) return undefined;
  return rows[0]!.checks.filter((c) => !c.passed).map((c) => `${c.criterion}: ${c.detail}`).join('; ');
}

/** The offers to keep open at once: one at a time for first match, every eligible partner (up to the scope) for send to all. */
export const openOffers = (plan: Pick<ReferralPlan, 'strategy' | 'scope'>) => (plan.strategy === 'first_match' ? 1 : (plan.scope ?? Infinity));

/** A referral naming partners offers the lead to each of them at once. */
export function namedPlan(plan: ReferralPlan, named: Candidate[]): ReferralPlan {
  return { ...plan, strategy: 'send_to_all', scope: named.length, target: named.length, candidates: named };
}
