import type { RoutingConfig } from '../domain/config';
import { assess, stateFromLedger, toCapacityConfig } from '../domain/capacity';
import type { Sql } from '../db/client';
import { ledgerSnapshot } from '../db/partner-ledger';
import type { CapacityChecker, Check } from '../domain/eligibility';
import type { PartnerCapacityClient } from '../infra/partner-capacity-client';

// The eligibility report already has these from the configuration; the rest come from live state.
const REPORTED_ELSEWHERE = new Set(['partner_status', 'schedule']);

/**
 * Asks each assigned partner's workflow what a reserve would answer at `at`, without reserving, and
 * serves the answers to evaluateEligibility. A partner whose workflow is not running is judged on
 * its configuration and its ledger, as a new run would be.
 */
export async function liveCapacityChecker(sql: Sql, partners: PartnerCapacityClient, config: RoutingConfig, at: Date): Promise<CapacityChecker> {
  const answers = new Map<string, Check[]>();
  const assignments = config.profiles.filter((p) => p.enabled).flatMap((p) => p.assignments);
  await Promise.all(
    assignments.map(async (a) => {
      const question = { assignmentId: a.id, priceMinor: a.priceMinor ?? config.leadType.defaultPriceMinor, assignmentCaps: a.caps };
      const answer =
        (await partners.assess(a.partnerId, question, at)) ??
        assess(stateFromLedger(a.partnerId, toCapacityConfig(a.partner), await ledgerSnapshot(sql, a.partnerId, a.partner.timezone, at)), question, at.getTime());
      answers.set(a.id, answer.checks.filter((c) => !REPORTED_ELSEWHERE.has(c.criterion)));
    }),
  );
  return (assignment) => answers.get(assignment.id) ?? [];
}
