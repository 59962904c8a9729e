import type { RoutingConfig } from '../domain/config';
import { assess, initialCapacityState, toCapacityConfig } from '../domain/capacity';
import type { CapacityChecker, Check } from '../domain/eligibility';
import type { PartnerCapacityClient } from '../infra/partner-capacity-client';

// The eligibility report already has these from the configuration; the rest come from live state.
const REPORTED_ELSEWHERE = new Set(['partner_status', 'schedule']);

/**
 * Asks each assigned partner's workflow what a reserve would answer at `at`, without reserving, and
 * serves the answers to evaluateEligibility. A partner whose workflow has not started is judged on
 * its configuration with nothing counted.
 */
export async function liveCapacityChecker(partners: PartnerCapacityClient, config: RoutingConfig, at: Date): Promise<CapacityChecker> {
  const answers = new Map<string, Check[]>();
  const assignments = config.profiles.filter((p) => p.enabled).flatMap((p) => p.assignments);
  await Promise.all(
    assignments.map(async (a) => {
      const question = { assignmentId: a.id, priceMinor: a.priceMinor ?? config.leadType.defaultPriceMinor, assignmentCaps: a.caps };
      const answer =
        (await partners.assess(a.partnerId, question, at)) ??
        assess({ ...initialCapacityState(a.partnerId), config: toCapacityConfig(a.partner) }, question, at.getTime());
      answers.set(a.id, answer.checks.filter((c) => !REPORTED_ELSEWHERE.has(c.criterion)));
    }),
  );
  return (assignment) => answers.get(assignment.id) ?? [];
}
