import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { appendAudit } from '../db/audit';
import { findJudgement, saveEligibilityReport } from '../db/eligibility-reports';
import { getLead, updateLeadStatus } from '../db/leads';
import { getPartner } from '../db/partners';
import { listDeliveries } from '../db/deliveries';
import { claimProbe } from '../db/circuits';
import { DEFAULT_CIRCUIT_BREAKER } from '../domain/circuit';
import { loadRoutingConfig } from '../db/routing-config';
import type { RoutingConfig } from '../domain/config';
import { evaluateEligibility, type EligibilityReport } from '../domain/eligibility';
import { MAX_CANDIDATES, statusAfterArrival, type LeadJudgement, type PartnerRoute } from '../domain/lead-judgement';
import { planReferral, whyNotEligible, type ReferralPlan } from '../domain/referral-plan';
import { writeLeadStatus } from './leads';

export type { PartnerRoute };

/** What the first lead workflows decided on (see workflows/legacy): the whole report, in history. */
export interface RoutingSnapshot {
  lead: { id: string; leadType: string; fields: Record<string, unknown>; createdAt: string };
  referralMethod: RoutingConfig['leadType']['referralMethod'];
  acceptanceWindowSeconds: number | null;
  evaluatedAt: string;
  eligibility: EligibilityReport;
  plan: ReferralPlan;
  /** Keyed by assignment id. */
  routes: Record<string, PartnerRoute>;
}

function routeOf(assignment: RoutingConfig['profiles'][number]['assignments'][number]): PartnerRoute {
  const { partner } = assignment;
  const webhook = partner.delivery?.type === 'webhook' ? partner.delivery : undefined;
  return {
    assignmentId: assignment.id,
    partnerId: partner.id,
    currency: partner.billing?.currency ?? 'GBP',
    assignmentCaps: assignment.caps,
    channel: partner.delivery?.type ?? 'email',
    chargeOn: assignment.chargeOn ?? 'acceptance',
    appointmentCharge: assignment.appointmentCharge ?? 'booked',
    attemptTimeoutMs: (webhook?.timeoutMs ?? 20_000) + 10_000,
    maxAttempts: webhook?.maxAttempts ?? 3,
  };
}

function noCandidateReason(report: EligibilityReport): string {
  if (report.profiles.length === 0) return `no enabled distribution profile for lead type ${report.leadType}`;
  if (!report.profiles.some((p) => p.profileRules.passed)) return 'the lead matches no profile rules';
  return 'no partner passed every criterion; see the eligibility record';
}

export function routingActivities(sql: Sql) {
  /** The lead and its routing configuration now, with every criterion for every partner. */
  const judge = async (leadId: string) => {
    const lead = await getLead(sql, leadId);
    if (!lead) throw ApplicationFailure.nonRetryable(`lead ${leadId} does not exist`, 'LeadNotFound');
    const loaded = await loadRoutingConfig(sql, lead.leadType);
    if (!loaded) throw ApplicationFailure.nonRetryable(`lead type ${lead.leadType} does not exist`, 'LeadTypeNotFound');
    // A test lead goes through the one profile the operator is checking.
    const config = lead.testProfileId ? { ...loaded, profiles: loaded.profiles.filter((p) => p.id === lead.testProfileId) } : loaded;
    const judgedAt = new Date();
    return { lead, config, judgedAt, eligibility: evaluateEligibility(config, lead.fields, { at: judgedAt }) };
  };

  /**
   * A half-open circuit lets one lead probe the partner's endpoint: this lead claims it, or the
   * partner is judged ineligible for it because another lead already is probing.
   */
  const claimProbes = async (leadId: string, report: EligibilityReport) => {
    for (const row of report.profiles.flatMap((p) => p.assignments)) {
      const check = row.checks.find((c) => c.criterion === 'circuit');
      if (!row.eligible || check?.actual !== 'half_open') continue;
      const partner = await getPartner(sql, row.partnerId);
      if (await claimProbe(sql, row.partnerId, leadId, (partner?.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER).cooldownSeconds)) continue;
      Object.assign(check, { passed: false, detail: `${check.detail.split(';')[0]}; another lead is probing it` });
      row.eligible = false;
    }
  };

  /** The audit entry of a judgement, `eligible` partners passing before the plan took its best. */
  const judgedEntry = (judgement: LeadJudgement, prefix: string, eligible: number) => {
    const { plan, test } = judgement;
    const names = plan.candidates.map((c) => c.partnerName).join(', ') || 'none';
    return {
      at: judgement.judgedAt,
      type: 'eligibility_evaluated',
      summary: `${prefix}${test ? 'test lead: ' : ''}${eligible} eligible partner(s) (${names}); strategy ${plan.strategy}, scope ${plan.scope ?? 'unlimited'}; referral method ${judgement.referralMethod}`,
      detail: { reportId: judgement.reportId, plan, named: judgement.named },
    };
  };

  /**
   * The full report goes to PostgreSQL (GET /leads/{id}/eligibility) and the audit trail refers to it
   * under `audit.key`; the workflow gets the plan (`shape` narrows it) and a reference, small however many partners there are.
   * Asked again under the same key (its workflow task run again after a worker died), it answers the
   * judgement already made, whatever changed since: a partner may already hold the lead by it.
   */
  const judgeNow = async (
    leadId: string, namedIds: string[], audit: { key: string; prefix: string }, shape: (plan: ReferralPlan) => ReferralPlan,
    alongside?: (judgement: LeadJudgement) => Promise<unknown>,
  ): Promise<LeadJudgement> => {
    // Read beside the lookup of a kept judgement, so the common first asking waits for one round trip less;
    // its failure matters only when it is used.
    const judging = judge(leadId);
    judging.catch(() => {});
    const kept = await findJudgement(sql, leadId, audit.key);
    if (kept) {
      // Its writes are keyed, so writing them again only fills in what a crash cut short.
      await Promise.all([alongside?.(kept), appendAudit(sql, leadId, audit.key, judgedEntry(kept, audit.prefix, kept.plan.candidates.length))]);
      return kept;
    }
    const { lead, config, judgedAt, eligibility } = await judging;
    const test = lead.testProfileId !== null;
    await claimProbes(leadId, eligibility);
    const reportId = randomUUID();
    const full = shape(planReferral(eligibility));
    const candidates = full.candidates.slice(0, MAX_CANDIDATES).map((c) => (test ? { ...c, priceMinor: 0 } : c));
    const plan = { ...full, candidates };
    const assignments = new Map(config.profiles.flatMap((p) => p.assignments).map((a) => [a.id, a]));
    const named = Object.fromEntries(namedIds.map((id) => [id, whyNotEligible(eligibility, id) ?? null]));
    const judgement: LeadJudgement = {
      reportId,
      judgedAt: judgedAt.toISOString(),
      leadType: config.leadType.name,
      referralMethod: config.leadType.referralMethod,
      acceptanceWindowSeconds: config.leadType.acceptanceWindowSeconds,
      referralDeadlineSeconds: config.leadType.referralDeadlineSeconds ?? 7 * 86_400,
      plan,
      routes: Object.fromEntries(plan.candidates.map((c) => [c.assignmentId, routeOf(assignments.get(c.assignmentId)!)])),
      named,
      noCandidateReason: full.candidates.length === 0 ? noCandidateReason(eligibility) : null,
      ...(test ? { test } : {}),
    };
    // The report, its audit entry and any write `alongside` share one round trip, all done before the judgement returns.
    await Promise.all([
      alongside?.(judgement),
      saveEligibilityReport(sql, { id: reportId, leadId, judgedAt, report: eligibility, key: audit.key, judgement }),
      appendAudit(sql, leadId, audit.key, judgedEntry(judgement, audit.prefix, full.candidates.length)),
    ]);
    return judgement;
  };

  return {
    /** The first lead workflows' snapshot, whole (see workflows/legacy/lead-v1.ts). */
    async snapshotRouting(leadId: string): Promise<RoutingSnapshot> {
      const { lead, config, judgedAt, eligibility } = await judge(leadId);
      return {
        lead: { id: lead.id, leadType: config.leadType.name, fields: lead.fields, createdAt: lead.createdAt.toISOString() },
        referralMethod: config.leadType.referralMethod,
        acceptanceWindowSeconds: config.leadType.acceptanceWindowSeconds,
        evaluatedAt: judgedAt.toISOString(),
        eligibility,
        plan: planReferral(eligibility),
        routes: Object.fromEntries(config.profiles.flatMap((p) => p.assignments).map((a) => [a.id, routeOf(a)])),
      };
    },

    /**
     * Judges the lead against the routing configuration as it is now: on arrival (the lead is then
     * `routing`), and again when an agent refers it. The full report goes to PostgreSQL (GET /leads/{id}/eligibility) and the audit
     * trail refers to it; the workflow gets the plan and a reference, small however many partners there are.
     * Given `arrivalStep`, an arrival judgement also writes the status it moves the lead to
     * (statusAfterArrival) as that status change, sparing the workflow a write of its own.
     */
    async judgeLead(input: { leadId: string; named?: string[]; judgement: number; arrivalStep?: number }): Promise<LeadJudgement> {
      const arrived = input.judgement === 1 ? (judgement: LeadJudgement) => {
        const next = input.arrivalStep === undefined ? null : statusAfterArrival(judgement);
        return next ? writeLeadStatus(sql, input.leadId, next, undefined, input.arrivalStep) : updateLeadStatus(sql, input.leadId, 'routing', `judged at ${judgement.judgedAt}`);
      } : undefined;
      return judgeNow(input.leadId, input.named ?? [], { key: `judgement:${input.judgement}`, prefix: '' }, (plan) => plan, arrived);
    },

    /**
     * Judges a returned lead afresh for its re-offer `n`: the next eligible partner, in the lead's order,
     * among those it was never delivered to (the returning partner excluded), one at a time.
     */
    async judgeReoffer(input: { leadId: string; n: number; returningPartnerId: string }): Promise<LeadJudgement> {
      const had = new Set([input.returningPartnerId, ...(await listDeliveries(sql, { leadId: input.leadId })).filter((d) => d.deliveredAt).map((d) => d.partnerId)]);
      return judgeNow(input.leadId, [], { key: `reoffer:${input.n}:judgement`, prefix: `re-offer ${input.n}: ` }, (plan) => ({
        ...plan, strategy: 'first_match', scope: 1, target: 1, candidates: plan.candidates.filter((c) => !had.has(c.partnerId)),
      }));
    },
  };
}
