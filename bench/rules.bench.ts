/**
 * Rule-engine speed: one lead against 10,000 assignments of 5 conditions each.
 * Prints p50/p99 per lead for the fast path (matches) and the explained path (explain, which
 * the dry run and workflow history use), next to a baseline that only looks up the same fields.
 * Run with `npm run bench:rules`. It measures; it does not pass or fail.
 */
import { explain, matches, PreparedLead, RuleBook, type Condition, type Rules } from '../domain/rules';
import type { FieldType } from '../domain/lead-type-fields';
import type { RoutingConfig } from '../domain/config';
import { evaluateEligibility } from '../domain/eligibility';
import { reportFigures } from './lib/figures';

const ASSIGNMENTS = 10_000;
const CONDITIONS = 5;
const LEADS = 300;
const WARMUP = 30;

const fieldTypes = new Map<string, FieldType>([
  ['postcode', 'string'],
  ['county', 'string'],
  ['loanAmount', 'number'],
  ['propertyValue', 'number'],
  ['age', 'number'],
  ['product', 'enum'],
  ['homeowner', 'boolean'],
  ['movingDate', 'date'],
  ['email', 'string'],
  ['source', 'string'],
]);

// A deterministic PRNG, so every run measures the same rules and leads.
let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const counties = ['London', 'Kent', 'Essex', 'Surrey', 'Devon', 'Yorkshire', 'Cheshire', 'Norfolk'];
const products = ['Remortgage', 'Purchase', 'BuyToLet', 'EquityRelease'];

function condition(): Condition {
  switch (Math.floor(rand() * 10)) {
    case 0: return { field: 'postcode', operator: 'starts_with', value: pick(['SW', 'E', 'N', 'M', 'B', 'LS']) };
    case 1: return { field: 'county', operator: 'in', value: [pick(counties), pick(counties), pick(counties)] };
    case 2: return { field: 'loanAmount', operator: 'between', value: [Math.floor(rand() * 100_000), 100_000 + Math.floor(rand() * 900_000)] };
    case 3: return { field: 'propertyValue', operator: 'gte', value: Math.floor(rand() * 500_000) };
    case 4: return { field: 'age', operator: 'lt', value: 40 + Math.floor(rand() * 40) };
    case 5: return { field: 'product', operator: 'equals', value: pick(products) };
    case 6: return { field: 'homeowner', operator: 'equals', value: rand() < 0.8 };
    case 7: return { field: 'movingDate', operator: 'gt', value: '2026-01-01' };
    case 8: return { field: 'email', operator: 'not_contains', value: 'example.com' };
    default: return { field: 'source', operator: 'is_not_empty' };
  }
}

const ruleSets: Rules[] = Array.from({ length: ASSIGNMENTS }, () => [{ conditions: Array.from({ length: CONDITIONS }, condition) }]);

function lead(): Record<string, unknown> {
  return {
    postcode: `${pick(['SW', 'E', 'N', 'M', 'B', 'LS'])}${Math.floor(rand() * 20)} ${Math.floor(rand() * 9)}AA`,
    county: pick(counties),
    loanAmount: Math.floor(rand() * 1_000_000),
    propertyValue: String(Math.floor(rand() * 1_500_000)),
    age: 18 + Math.floor(rand() * 60),
    product: pick(products),
    homeowner: rand() < 0.7,
    movingDate: `2026-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-15`,
    email: `someone${Math.floor(rand() * 1000)}@${pick(['example.com', 'mail.co.uk'])}`,
    source: pick(['web', 'phone', '']),
  };
}
const leads = Array.from({ length: LEADS + WARMUP }, lead);

const heapBefore = process.memoryUsage().heapUsed;
const compileStart = performance.now();
// One book per configuration version, as routing keeps it.
const book = new RuleBook(fieldTypes);
const compiled = ruleSets.map((r) => book.compile(r));
const compileMs = performance.now() - compileStart;
const compiledHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

/** Times `perLead` on every lead; it returns how many assignments matched, which also keeps the work from being optimised away. */
function measure(name: string, perLead: (fields: Record<string, unknown>) => number) {
  const times: number[] = [];
  let matched = 0;
  leads.forEach((l, i) => {
    const t = performance.now();
    const n = perLead(l);
    if (i < WARMUP) return;
    times.push(performance.now() - t);
    matched += n;
  });
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  console.log(`${name.padEnd(38)} p50 ${at(0.5).toFixed(3).padStart(7)} ms   p99 ${at(0.99).toFixed(3).padStart(7)} ms   ${Math.round(matched / LEADS)} assignments matched per lead`);
  return { p50: at(0.5), p99: at(0.99) };
}

console.log(`one lead against ${ASSIGNMENTS.toLocaleString()} assignments x ${CONDITIONS} conditions, ${LEADS} leads (after ${WARMUP} warm-up), node ${process.version}`);
console.log(`compile all rules: ${compileMs.toFixed(1)} ms once, ${compiledHeapMb.toFixed(1)} MB heap`);

const baseline = measure('baseline: field lookups only', (fields) => {
  let seen = 0;
  for (const rules of ruleSets) for (const c of (rules[0] as { conditions: Condition[] }).conditions) if (fields[c.field] !== undefined) seen++;
  return seen === -1 ? 1 : 0;
});
const matching = measure('matches (first-failure short-circuit)', (fields) => {
  const prepared = new PreparedLead(fields);
  let n = 0;
  for (const c of compiled) if (matches(c, prepared)) n++;
  return n;
});
const explained = measure('explain (every condition with values)', (fields) => {
  const prepared = new PreparedLead(fields);
  let n = 0;
  for (const c of compiled) if (explain(c, prepared).passed) n++;
  return n;
});

// The path a lead takes in routing: every criterion for every partner, rules compiled once per
// configuration version. Partners keep weekly schedules in a handful of timezones, as real ones do.
const zones = ['Europe/London', 'Europe/Dublin', 'America/New_York', 'Europe/Paris'];
const config: RoutingConfig = {
  leadType: {
    id: 'lt', name: 'mortgage', referralMethod: 'immediate', defaultPriceMinor: 1000, referralScope: 1, acceptanceWindowSeconds: null, fcaRequired: true, configVersion: 1,
    fields: [...fieldTypes].map(([name, type]) => ({ name, type, required: false, encrypted: false, ...(type === 'enum' ? { values: products } : {}) })),
  },
  profiles: [{
    id: 'p', leadTypeId: 'lt', name: 'all', description: null, enabled: true, strategy: 'first_match', rules: [], referralScope: null, configVersion: 1,
    assignments: ruleSets.map((rules, i) => ({
      id: `a${i}`, profileId: 'p', partnerId: `partner${i}`, priority: i % 10, priceMinor: null, rules, configVersion: 1,
      caps: { day: null, week: null, month: null, lifetime: null },
      partner: {
        id: `partner${i}`, name: `Partner ${i}`, email: 'p@example.com', phone: null, address: null, notes: null, tags: [], status: 'active',
        timezone: pick(zones), billing: null, delivery: { type: 'email', addresses: ['p@example.com'] },
        caps: { day: null, week: null, month: null, lifetime: null },
        schedule: { type: 'weekly', windows: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '08:00', end: '20:00' })) },
        creditLimitMinor: null, lowFundsThresholdMinor: null, transferPhone: null, smsNumber: null, fcaNumber: 'FRN1', configVersion: 1, createdAt: '', updatedAt: '',
      },
    })),
  }],
};
const at = new Date('2026-11-23T10:00:00Z');
const firstStart = performance.now();
evaluateEligibility(config, leads[0]!, { at });
console.log(`eligibility report, first lead of a new configuration version: ${(performance.now() - firstStart).toFixed(1)} ms (compiles and orders)`);
const routing = measure('eligibility report (routing path)', (fields) => {
  const report = evaluateEligibility(config, fields, { at });
  return report.profiles[0]!.assignments.filter((a) => a.eligible).length;
});

const mem = process.memoryUsage();
const figure = (name: string, value: number, target: string) => ({ bench: 'rules', figure: name, unit: 'ms', value, baseline: baseline.p99, target });
reportFigures([
  figure('matches p99', matching.p99, '< 5 ms'),
  figure('explain p99', explained.p99, '< 10 ms'),
  figure('eligibility report p99', routing.p99, 'as low as the explain figure allows'),
  { bench: 'rules', figure: 'rss', unit: 'MB', value: mem.rss / 2 ** 20 },
]);
console.log(`memory: heap used ${(mem.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(mem.rss / 2 ** 20).toFixed(1)} MB; targets: matches p99 < 5 ms, explain and the report p99 < 10 ms`);
