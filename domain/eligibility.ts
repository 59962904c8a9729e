import type { Assignment, Partner, RoutingConfig } from './config';
import { compileRules, explain, PreparedLead, type RulesResult } from './rules';
import { isWithinSchedule } from './schedule';

/** One criterion for one partner, with the value it was decided on. */
export interface Check {
  criterion: string;
  passed: boolean;
  actual: unknown;
  detail: string;
}

/**
 * Extra criteria that need live state (caps, credit, pause), supplied by whoever owns that state:
 * the partner workflow during routing. The dry run passes none.
 */
export type CapacityChecker = (assignment: Assignment & { partner: Partner }) => Check[];

export interface AssignmentReport {
  assignmentId: string;
  partnerId: string;
  partnerName: string;
  priority: number;
  /** The assignment's price, or the lead type's default. */
  priceMinor: number;
  eligible: boolean;
  partnerRules: RulesResult;
  checks: Check[];
}

export interface ProfileReport {
  profileId: string;
  name: string;
  strategy: string;
  referralScope: number;
  profileRules: RulesResult;
  /** Best first: priority high to low, then partner name. */
  assignments: AssignmentReport[];
}

export interface EligibilityReport {
  leadType: string;
  profiles: ProfileReport[];
}

/** Every criterion for every assignment of every enabled profile, so "why not partner X" has an answer. */
export function evaluateEligibility(
  config: RoutingConfig,
  fields: Readonly<Record<string, unknown>>,
  options: { at: Date; capacity?: CapacityChecker },
): EligibilityReport {
  const { leadType } = config;
  const types = new Map(leadType.fields.map((f) => [f.name, f.type]));
  const lead = new PreparedLead(fields);
  const profiles = config.profiles
    .filter((p) => p.enabled)
    .map((profile): ProfileReport => {
      const profileRules = explain(compileRules(profile.rules, types), lead);
      const assignments = [...profile.assignments]
        .sort((a, b) => b.priority - a.priority || a.partner.name.localeCompare(b.partner.name))
        .map((assignment): AssignmentReport => {
          const { partner } = assignment;
          const partnerRules = explain(compileRules(assignment.rules, types), lead);
          const checks: Check[] = [
            { criterion: 'profile_rules', passed: profileRules.passed, actual: null, detail: profileRules.passed ? 'lead matches the profile rules' : 'lead does not match the profile rules' },
            { criterion: 'partner_status', passed: partner.status === 'active', actual: partner.status, detail: `partner is ${partner.status}` },
            { criterion: 'partner_rules', passed: partnerRules.passed, actual: null, detail: partnerRules.passed ? 'lead matches the partner rules' : 'lead does not match the partner rules' },
            deliveryCheck(leadType.referralMethod, partner),
            ...(leadType.fcaRequired
              ? [{ criterion: 'fca_number', passed: !!partner.fcaNumber, actual: partner.fcaNumber, detail: partner.fcaNumber ? 'FCA number on file' : 'lead type requires an FCA number and the partner has none' }]
              : []),
            scheduleCheck(partner, options.at),
            ...(options.capacity?.(assignment) ?? []),
          ];
          return {
            assignmentId: assignment.id,
            partnerId: partner.id,
            partnerName: partner.name,
            priority: assignment.priority,
            priceMinor: assignment.priceMinor ?? leadType.defaultPriceMinor,
            eligible: checks.every((c) => c.passed),
            partnerRules,
            checks,
          };
        });
      return { profileId: profile.id, name: profile.name, strategy: profile.strategy, referralScope: profile.referralScope ?? leadType.referralScope, profileRules, assignments };
    });
  return { leadType: leadType.name, profiles };
}

function deliveryCheck(method: string, partner: Partner): Check {
  if (method === 'transfer') {
    const ok = !!partner.transferPhone;
    return { criterion: 'transfer_phone', passed: ok, actual: partner.transferPhone, detail: ok ? 'transfer number on file' : 'telephone transfer needs a transfer number' };
  }
  const ok = partner.delivery !== null;
  return { criterion: 'delivery_method', passed: ok, actual: partner.delivery?.type ?? null, detail: ok ? `delivers by ${partner.delivery?.type}` : 'partner has no delivery method' };
}

function scheduleCheck(partner: Partner, at: Date): Check {
  const ok = isWithinSchedule(partner.schedule, partner.timezone, at);
  return {
    criterion: 'schedule',
    passed: ok,
    actual: at.toISOString(),
    detail: ok ? `inside the delivery schedule (${partner.timezone})` : `outside the delivery schedule (${partner.timezone})`,
  };
}
