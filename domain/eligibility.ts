import type { Assignment, Partner, RoutingConfig } from './config';
import { explain, PreparedLead, RuleBook, type CompiledRules, type RulesResult } from './rules';
import { isWithinSchedule, wallClock } from './schedule';
import { circuitState, DEFAULT_CIRCUIT_BREAKER, type CircuitRecord } from './circuit';

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
  /** Null: no limit. */
  referralScope: number | null;
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
  const lead = new PreparedLead(fields);
  const schedule = scheduleChecks(options.at);
  const profiles = compiledFor(config).map(({ profile, rules, offerOrder }): ProfileReport => {
    const profileRules = explain(rules, lead);
    const assignments = offerOrder.map(({ index, rules: assignmentRules, partnerChecks }): AssignmentReport => {
      const assignment = profile.assignments[index]!;
      const { partner } = assignment;
      const partnerRules = explain(assignmentRules, lead);
      const checks: Check[] = [profileRules.passed ? PROFILE_RULES_PASSED : PROFILE_RULES_FAILED, partnerChecks[0]!, partnerRules.passed ? PARTNER_RULES_PASSED : PARTNER_RULES_FAILED];
      for (let i = 1; i < partnerChecks.length; i++) checks.push(partnerChecks[i]!);
      checks.push(schedule(partner), circuitCheck(partner, config.circuits?.[partner.id], options.at));
      if (options.capacity) for (const check of options.capacity(assignment)) checks.push(check);
      let eligible = true;
      for (const check of checks) eligible &&= check.passed;
      return {
        assignmentId: assignment.id,
        partnerId: partner.id,
        partnerName: partner.name,
        priority: assignment.priority,
        priceMinor: assignment.priceMinor ?? leadType.defaultPriceMinor,
        eligible,
        partnerRules,
        checks,
      };
    });
    return { profileId: profile.id, name: profile.name, strategy: profile.strategy, referralScope: profile.referralScope ?? leadType.referralScope, profileRules, assignments };
  });
  return { leadType: leadType.name, profiles };
}

// Reports share these read-only checks: a report over thousands of partners is mostly the same few facts.
const PROFILE_RULES_PASSED: Check = { criterion: 'profile_rules', passed: true, actual: null, detail: 'lead matches the profile rules' };
const PROFILE_RULES_FAILED: Check = { criterion: 'profile_rules', passed: false, actual: null, detail: 'lead does not match the profile rules' };
const PARTNER_RULES_PASSED: Check = { criterion: 'partner_rules', passed: true, actual: null, detail: 'lead matches the partner rules' };
const PARTNER_RULES_FAILED: Check = { criterion: 'partner_rules', passed: false, actual: null, detail: 'lead does not match the partner rules' };

type ConfiguredProfile = RoutingConfig['profiles'][number];
interface CompiledProfile {
  profile: ConfiguredProfile;
  rules: CompiledRules;
  /** Indexes into the profile's assignments, best first: priority high to low, then partner name. */
  offerOrder: Array<{ index: number; rules: CompiledRules; partnerChecks: Check[] }>;
}

/**
 * Compiling rules and ordering thousands of assignments costs far more than judging one lead, and
 * changes only with the configuration: keep the work per configuration version, keyed by every
 * version it was built from. The profiles are taken from the config passed in, so live partner
 * state (status, schedule) is always read fresh.
 */
const compiledConfigs = new Map<string, { key: string; profiles: Omit<CompiledProfile, 'profile'>[] }>();
const MAX_CACHED_LEAD_TYPES = 64;

function compiledFor(config: RoutingConfig): CompiledProfile[] {
  const enabled = config.profiles.filter((p) => p.enabled);
  const key = versionKey(config.leadType, enabled);
  let cached = compiledConfigs.get(config.leadType.id);
  if (cached?.key !== key) {
    // One book for the whole configuration: its assignments share their conditions' outcomes per lead.
    const book = new RuleBook(new Map(config.leadType.fields.map((f) => [f.name, f.type])));
    cached = { key, profiles: enabled.map((profile) => compileProfile(config.leadType, profile, book)) };
    if (compiledConfigs.size >= MAX_CACHED_LEAD_TYPES) compiledConfigs.delete(compiledConfigs.keys().next().value!);
    compiledConfigs.set(config.leadType.id, cached);
  }
  return cached.profiles.map((compiled, i) => ({ ...compiled, profile: enabled[i]! }));
}

function versionKey(leadType: RoutingConfig['leadType'], profiles: ConfiguredProfile[]): string {
  const parts = [`${leadType.id}@${leadType.configVersion}`];
  for (const p of profiles) {
    parts.push(`${p.id}@${p.configVersion}`);
    // A partner's name orders ties, so its version is part of the key.
    for (const a of p.assignments) parts.push(`${a.id}@${a.configVersion}.${a.partner.configVersion}`);
  }
  return parts.join(' ');
}

const byOfferOrder = new Intl.Collator().compare;

function compileProfile(leadType: RoutingConfig['leadType'], profile: ConfiguredProfile, book: RuleBook): Omit<CompiledProfile, 'profile'> {
  const offerOrder = profile.assignments
    .map((assignment, index) => ({ index, rules: book.compile(assignment.rules), partnerChecks: partnerChecks(leadType, assignment.partner) }))
    .sort((x, y) => {
      const a = profile.assignments[x.index]!;
      const b = profile.assignments[y.index]!;
      return b.priority - a.priority || byOfferOrder(a.partner.name, b.partner.name);
    });
  return { rules: book.compile(profile.rules), offerOrder };
}

/** The criteria that depend on the partner's configuration alone, partner status first. */
function partnerChecks(leadType: RoutingConfig['leadType'], partner: Partner): Check[] {
  return [
    { criterion: 'partner_status', passed: partner.status === 'active', actual: partner.status, detail: `partner is ${partner.status}` },
    typeCheck(partner),
    deliveryCheck(leadType.referralMethod, partner),
    ...(leadType.fcaRequired
      ? [{ criterion: 'fca_number', passed: !!partner.fcaNumber, actual: partner.fcaNumber, detail: partner.fcaNumber ? 'FCA number on file' : 'lead type requires an FCA number and the partner has none' }]
      : []),
  ];
}

function typeCheck(partner: Partner): Check {
  const type = partner.type ?? 'receiver';
  return type === 'introducer'
    ? { criterion: 'partner_type', passed: false, actual: type, detail: 'partner only introduces leads' }
    : { criterion: 'partner_type', passed: true, actual: type, detail: `partner receives leads (${type})` };
}

function deliveryCheck(method: string, partner: Partner): Check {
  if (method === 'transfer') {
    const ok = !!partner.transferPhone;
    return { criterion: 'transfer_phone', passed: ok, actual: partner.transferPhone, detail: ok ? 'transfer number on file' : 'telephone transfer needs a transfer number' };
  }
  const ok = partner.delivery !== null;
  return { criterion: 'delivery_method', passed: ok, actual: partner.delivery?.type ?? null, detail: ok ? `delivers by ${partner.delivery?.type}` : 'partner has no delivery method' };
}

/** Whether the partner's endpoint is being skipped after failing (see domain/circuit.ts). */
function circuitCheck(partner: Partner, record: CircuitRecord | undefined, at: Date): Check {
  if (!record?.openedAt) return CIRCUIT_CLOSED;
  const settings = partner.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER;
  const state = circuitState(record, settings, at);
  if (state === 'half_open') return { criterion: 'circuit', passed: true, actual: state, detail: `endpoint failing since ${record.openedAt}; cool-down over, so this lead may probe it` };
  const until = new Date(Date.parse(record.openedAt) + settings.cooldownSeconds * 1000).toISOString();
  return { criterion: 'circuit', passed: false, actual: state, detail: `endpoint failing since ${record.openedAt} (${record.openedReason}); skipped until ${until}` };
}

const CIRCUIT_CLOSED: Check = { criterion: 'circuit', passed: true, actual: 'closed', detail: 'endpoint delivering' };

/** The schedule criterion at one instant; partners sharing a timezone and an answer share the check. */
function scheduleChecks(at: Date): (partner: Partner) => Check {
  const actual = at.toISOString();
  const clocks = new Map<string, { day: string; minute: number }>();
  const checks = { true: new Map<string, Check>(), false: new Map<string, Check>() };
  return (partner) => {
    const { timezone } = partner;
    let ok = true;
    if (partner.schedule.type !== 'always') {
      let clock = clocks.get(timezone);
      if (!clock) clocks.set(timezone, (clock = wallClock(timezone, at)));
      ok = isWithinSchedule(partner.schedule, timezone, at, clock);
    }
    let check = checks[`${ok}`].get(timezone);
    if (!check) {
      const detail = ok ? `inside the delivery schedule (${timezone})` : `outside the delivery schedule (${timezone})`;
      checks[`${ok}`].set(timezone, (check = { criterion: 'schedule', passed: ok, actual, detail }));
    }
    return check;
  };
}
