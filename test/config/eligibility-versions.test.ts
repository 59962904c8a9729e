import type { RoutingConfig } from '../../domain/config';
import { evaluateEligibility } from '../../domain/eligibility';

// Routing compiles rules and orders partners once per configuration version; these pin that a new
// version is always judged on its own rules and order, never on what an earlier version compiled.
const partner = (id: string, name: string, configVersion = 1) => ({
  id, name, email: `${id}@example.com`, phone: null, address: null, notes: null, tags: [], status: 'active' as const,
  timezone: 'Europe/London', billing: null, delivery: { type: 'email' as const, addresses: [`${id}@example.com`] },
  caps: { day: null, week: null, month: null, lifetime: null }, schedule: { type: 'always' as const },
  creditLimitMinor: null, lowFundsThresholdMinor: null, transferPhone: null, smsNumber: null, fcaNumber: null, configVersion, createdAt: '', updatedAt: '',
});

function config(opts: { minLoan: number; assignmentVersion: number; secondName: string; secondVersion: number }): RoutingConfig {
  return {
    leadType: {
      id: 'lt-versions', name: 'loans', referralMethod: 'immediate', defaultPriceMinor: 100, referralScope: 1, acceptanceWindowSeconds: null, fcaRequired: false, configVersion: 1,
      fields: [{ name: 'loan', type: 'number', required: true, encrypted: false }],
    },
    profiles: [{
      id: 'profile', leadTypeId: 'lt-versions', name: 'all', description: null, enabled: true, strategy: 'first_match', rules: [], referralScope: null, configVersion: 1,
      assignments: [
        { id: 'a1', profileId: 'profile', partnerId: 'p1', priority: 1, priceMinor: null, caps: partner('p1', 'Brook').caps, configVersion: opts.assignmentVersion,
          rules: [{ conditions: [{ field: 'loan', operator: 'gte', value: opts.minLoan }] }], partner: partner('p1', 'Brook') },
        { id: 'a2', profileId: 'profile', partnerId: 'p2', priority: 1, priceMinor: null, caps: partner('p2', 'x').caps, configVersion: 1,
          rules: [], partner: partner('p2', opts.secondName, opts.secondVersion) },
      ],
    }],
  };
}

const judge = (c: RoutingConfig, loan: number) => {
  const [profile] = evaluateEligibility(c, { loan }, { at: new Date('2026-11-23T10:00:00Z') }).profiles;
  return profile!.assignments.map((a) => `${a.partnerName}:${a.eligible ? 'yes' : 'no'}`);
};

describe('eligibility across configuration versions', () => {
  it('judges a lead on the rules of the version it is given', () => {
    expect(judge(config({ minLoan: 100, assignmentVersion: 1, secondName: 'Cedar', secondVersion: 1 }), 150)).toEqual(['Brook:yes', 'Cedar:yes']);
    expect(judge(config({ minLoan: 200, assignmentVersion: 2, secondName: 'Cedar', secondVersion: 1 }), 150)).toEqual(['Brook:no', 'Cedar:yes']);
  });

  it('orders equal priorities by the partner names of the version it is given', () => {
    expect(judge(config({ minLoan: 100, assignmentVersion: 1, secondName: 'Cedar', secondVersion: 1 }), 150)).toEqual(['Brook:yes', 'Cedar:yes']);
    expect(judge(config({ minLoan: 100, assignmentVersion: 1, secondName: 'Ash', secondVersion: 2 }), 150)).toEqual(['Ash:yes', 'Brook:yes']);
  });

  it('reads live partner state from the configuration passed in, not from an earlier one', () => {
    const paused = config({ minLoan: 100, assignmentVersion: 1, secondName: 'Cedar', secondVersion: 1 });
    expect(judge(paused, 150)).toEqual(['Brook:yes', 'Cedar:yes']);
    const later = config({ minLoan: 100, assignmentVersion: 1, secondName: 'Cedar', secondVersion: 1 });
    later.profiles[0]!.assignments[1]!.partner = { ...later.profiles[0]!.assignments[1]!.partner, schedule: { type: 'weekly', windows: [{ day: 'sun', start: '00:00', end: '01:00' }] } };
    expect(judge(later, 150)).toEqual(['Brook:yes', 'Cedar:no']);
  });
});
