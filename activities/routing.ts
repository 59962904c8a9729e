import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { getLead } from '../db/leads';
import { loadRoutingConfig } from '../db/routing-config';
import type { RoutingConfig } from '../domain/config';
import { evaluateEligibility, type EligibilityReport } from '../domain/eligibility';
import { planReferral, type ReferralPlan } from '../domain/referral-plan';

export interface PartnerRoute {
  assignmentId: string;
  partnerId: string;
  currency: string;
  assignmentCaps: RoutingConfig['profiles'][number]['assignments'][number]['caps'];
  channel: 'webhook' | 'email';
  /** Upper bound for one delivery attempt, including recording it. */
  attemptTimeoutMs: number;
  maxAttempts: number;
}

/** What the lead workflow decides on, captured once; it is the activity result, so the history shows it. */
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

export function routingActivities(sql: Sql) {
  return {
    /** Snapshots the lead and its routing configuration and records every criterion for every partner. */
    async snapshotRouting(leadId: string): Promise<RoutingSnapshot> {
      const lead = await getLead(sql, leadId);
      if (!lead) throw ApplicationFailure.nonRetryable(`lead ${leadId} does not exist`, 'LeadNotFound');
      const config = await loadRoutingConfig(sql, lead.leadType);
      if (!config) throw ApplicationFailure.nonRetryable(`lead type ${lead.leadType} does not exist`, 'LeadTypeNotFound');
      const evaluatedAt = new Date();
      const eligibility = evaluateEligibility(config, lead.fields, { at: evaluatedAt });
      const routes: Record<string, PartnerRoute> = {};
      for (const assignment of config.profiles.flatMap((p) => p.assignments)) {
        const { partner } = assignment;
        const webhook = partner.delivery?.type === 'webhook' ? partner.delivery : undefined;
        routes[assignment.id] = {
          assignmentId: assignment.id,
          partnerId: partner.id,
          currency: partner.billing?.currency ?? 'GBP',
          assignmentCaps: assignment.caps,
          channel: webhook ? 'webhook' : 'email',
          attemptTimeoutMs: (webhook?.timeoutMs ?? 20_000) + 10_000,
          maxAttempts: webhook?.maxAttempts ?? 3,
        };
      }
      return {
        lead: { id: lead.id, leadType: config.leadType.name, fields: lead.fields, createdAt: lead.createdAt.toISOString() },
        referralMethod: config.leadType.referralMethod,
        acceptanceWindowSeconds: config.leadType.acceptanceWindowSeconds,
        evaluatedAt: evaluatedAt.toISOString(),
        eligibility,
        plan: planReferral(eligibility),
        routes,
      };
    },
  };
}
