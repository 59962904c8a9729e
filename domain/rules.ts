import type { FieldDef, FieldType } from './lead-type-fields';

/**
 * The rule engine: conditions on lead fields, AND within a group, OR across groups.
 * Pure and deterministic, so lead workflows evaluate it on their routing snapshot.
 *
 * Semantics, in the words an operator would use:
 * - text comparisons ignore case and surrounding spaces;
 * - gt/gte/lt/lte/between compare numbers, or instants when the field is a date;
 * - between is inclusive at both ends;
 * - a missing or empty value fails every positive operator; not_equals, not_contains and
 *   not_in are exact negations of their positives, so they pass on it;
 * - no groups means no restriction, so every lead passes.
 */
export const OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
] as const;
export type Operator = (typeof OPERATORS)[number];

export type Scalar = string | number | boolean;
export type ConditionValue = Scalar | Scalar[];

export interface Condition {
  field: string;
  operator: Operator;
  value?: ConditionValue;
}
export interface RuleGroup {
  conditions: Condition[];
}
/** Groups combine with OR; an empty list matches every lead. */
export type Rules = RuleGroup[];

export interface ConditionResult {
  field: string;
  operator: Operator;
  expected: ConditionValue | null;
  actual: unknown;
  passed: boolean;
}
export interface GroupResult {
  passed: boolean;
  conditions: ConditionResult[];
}
export interface RulesResult {
  passed: boolean;
  groups: GroupResult[];
}

const NEGATIVE: ReadonlySet<Operator> = new Set(['not_equals', 'not_contains', 'not_in']);
const NO_VALUE: ReadonlySet<Operator> = new Set(['is_empty', 'is_not_empty']);
const ORDERING: ReadonlySet<Operator> = new Set(['gt', 'gte', 'lt', 'lte', 'between']);
const TEXTUAL: ReadonlySet<Operator> = new Set(['contains', 'not_contains', 'starts_with', 'ends_with']);

/** One lead field, normalised once per lead and shared by every condition that reads it. */
interface FieldValue {
  raw: unknown;
  empty: boolean;
  text: string;
  num: number;
  time: number;
}

/**
 * A lead's fields, each normalised on first use, and the outcome of every distinct condition it has
 * been judged on: a configuration of thousands of assignments repeats the same few conditions, so
 * each is decided once per lead and read back from a byte after that.
 */
export class PreparedLead {
  private readonly cache = new Map<string, FieldValue>();
  private judged: Judgement | undefined;
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}

  get(name: string): FieldValue {
    let v = this.cache.get(name);
    if (!v) {
      v = normalise(Object.prototype.hasOwnProperty.call(this.fields, name) ? this.fields[name] : undefined);
      this.cache.set(name, v);
    }
    return v;
  }

  /** The outcomes against one rule book, kept while the lead is judged against that book. */
  judgement(book: RuleBook): Judgement {
    if (this.judged?.book !== book || this.judged.outcomes.length < book.conditions.length) this.judged = new Judgement(book, this);
    return this.judged;
  }
}

const UNDECIDED = 0;
const PASSED = 1;
const FAILED = 2;

class Judgement {
  readonly outcomes: Uint8Array;
  private readonly results: Array<ConditionResult | undefined>;
  constructor(readonly book: RuleBook, private readonly lead: PreparedLead) {
    this.outcomes = new Uint8Array(book.conditions.length);
    this.results = new Array<ConditionResult | undefined>(book.conditions.length);
  }

  passes(id: number): boolean {
    let outcome = this.outcomes[id];
    if (outcome === UNDECIDED) {
      const c = this.book.conditions[id] as InternedCondition;
      this.outcomes[id] = outcome = c.test(this.lead.get(c.source.field)) ? PASSED : FAILED;
    }
    return outcome === PASSED;
  }

  /** The condition's explanation; identical conditions share one read-only result. */
  result(id: number): ConditionResult {
    let result = this.results[id];
    if (!result) {
      const { source } = this.book.conditions[id] as InternedCondition;
      const actual = this.lead.get(source.field).raw ?? null;
      this.results[id] = result = { field: source.field, operator: source.operator, expected: source.value ?? null, actual, passed: this.passes(id) };
    }
    return result;
  }
}

function normalise(raw: unknown): FieldValue {
  const empty = raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0) || (typeof raw === 'string' && raw.trim() === '');
  if (empty) return { raw, empty, text: '', num: NaN, time: NaN };
  const text = (typeof raw === 'object' ? JSON.stringify(raw) : String(raw)).trim().toLowerCase();
  const num = typeof raw === 'number' ? raw : typeof raw === 'string' ? toNumber(raw) : NaN;
  const time = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return { raw, empty, text, num, time };
}

function toNumber(s: string): number {
  const t = s.trim();
  return t === '' ? NaN : Number(t);
}

const norm = (v: Scalar) => String(v).trim().toLowerCase();

type Test = (v: FieldValue) => boolean;

interface InternedCondition {
  source: Condition;
  test: Test;
}

/** Rules compiled against a book: each group is the ids of its conditions in the book. */
export interface CompiledRules {
  book: RuleBook;
  groups: Int32Array[];
}

/**
 * Compiles rules into closures with their expected values normalised up front, giving each
 * distinct condition one id, so rules compiled in the same book share their conditions' outcomes
 * per lead. Keep one book per configuration version. `fieldTypes` (from the lead type) tells date
 * fields apart; without it a value that parses as a date is taken as one.
 */
export class RuleBook {
  readonly conditions: InternedCondition[] = [];
  private readonly ids = new Map<string, number>();
  constructor(private readonly fieldTypes?: ReadonlyMap<string, FieldType>) {}

  compile(rules: Rules): CompiledRules {
    return { book: this, groups: rules.map((g) => Int32Array.from(g.conditions, (c) => this.intern(c))) };
  }

  private intern(c: Condition): number {
    const key = JSON.stringify([c.field, c.operator, c.value ?? null]);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.conditions.push({ source: c, test: compileCondition(c, this.fieldTypes?.get(c.field)) }) - 1;
      this.ids.set(key, id);
    }
    return id;
  }
}

/** Compiles one rule set in a book of its own, for callers that don't share conditions. */
export function compileRules(rules: Rules, fieldTypes?: ReadonlyMap<string, FieldType>): CompiledRules {
  return new RuleBook(fieldTypes).compile(rules);
}

function compileCondition(c: Condition, fieldType: FieldType | undefined): Test {
  const positive = compilePositive(c, fieldType);
  if (!NEGATIVE.has(c.operator)) return positive;
  return (v) => !positive(v);
}

function compilePositive(c: Condition, fieldType: FieldType | undefined): Test {
  const value = c.value;
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const first = values[0];
  switch (c.operator) {
    case 'is_empty':
      return (v) => v.empty;
    case 'is_not_empty':
      return (v) => !v.empty;
    case 'equals':
    case 'not_equals': {
      if (first === undefined) return () => false;
      if (typeof first === 'number') return (v) => !v.empty && v.num === first;
      if (fieldType === 'date') {
        const t = Date.parse(String(first));
        return (v) => !v.empty && v.time === t;
      }
      const e = norm(first);
      return (v) => !v.empty && v.text === e;
    }
    case 'contains':
    case 'not_contains': {
      const e = first === undefined ? '' : norm(first);
      return (v) => !v.empty && v.text.includes(e);
    }
    case 'starts_with': {
      const e = first === undefined ? '' : norm(first);
      return (v) => !v.empty && v.text.startsWith(e);
    }
    case 'ends_with': {
      const e = first === undefined ? '' : norm(first);
      return (v) => !v.empty && v.text.endsWith(e);
    }
    case 'in':
    case 'not_in': {
      const set = new Set(values.map(norm));
      return (v) => !v.empty && set.has(v.text);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'between': {
      const asDate = fieldType === 'date' || (fieldType === undefined && values.some(isDateLike));
      const key: 'time' | 'num' = asDate ? 'time' : 'num';
      const bounds = values.map((x) => (asDate ? Date.parse(String(x)) : typeof x === 'number' ? x : toNumber(String(x))));
      const a = bounds[0] ?? NaN;
      const b = bounds[1] ?? NaN;
      // NaN compares false, so an unparseable value or bound fails rather than matching.
      switch (c.operator) {
        case 'gt':
          return (v) => v[key] > a;
        case 'gte':
          return (v) => v[key] >= a;
        case 'lt':
          return (v) => v[key] < a;
        case 'lte':
          return (v) => v[key] <= a;
        default:
          return (v) => v[key] >= a && v[key] <= b;
      }
    }
  }
}

const isDateLike = (x: Scalar) => typeof x === 'string' && Number.isNaN(Number(x)) && !Number.isNaN(Date.parse(x));

const asPrepared = (lead: PreparedLead | Readonly<Record<string, unknown>>) => (lead instanceof PreparedLead ? lead : new PreparedLead(lead));

/** Whether the lead passes: stops at the first failing condition of each group and the first passing group. */
export function matches(rules: CompiledRules, lead: PreparedLead | Readonly<Record<string, unknown>>): boolean {
  const groups = rules.groups;
  if (groups.length === 0) return true;
  const judged = asPrepared(lead).judgement(rules.book);
  for (let g = 0; g < groups.length; g++) {
    const ids = groups[g] as Int32Array;
    let ok = true;
    for (let i = 0; i < ids.length; i++) {
      if (!judged.passes(ids[i] as number)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

/** Every condition's outcome with the value it saw, so a caller can say why a lead matched or missed. */
export function explain(rules: CompiledRules, lead: PreparedLead | Readonly<Record<string, unknown>>): RulesResult {
  const judged = asPrepared(lead).judgement(rules.book);
  let passed = rules.groups.length === 0;
  const groups = rules.groups.map((ids): GroupResult => {
    const conditions = new Array<ConditionResult>(ids.length);
    let groupPassed = true;
    for (let i = 0; i < ids.length; i++) {
      const result = judged.result(ids[i] as number);
      conditions[i] = result;
      groupPassed &&= result.passed;
    }
    passed ||= groupPassed;
    return { passed: groupPassed, conditions };
  });
  return { passed, groups };
}

/** Compiles and explains in one step, for callers that evaluate a rule set once. */
export function evaluateRules(rules: Rules, lead: Readonly<Record<string, unknown>>, fields?: readonly FieldDef[]): RulesResult {
  return explain(compileRules(rules, fields ? new Map(fields.map((f) => [f.name, f.type])) : undefined), lead);
}

export interface RuleProblem {
  /** Where in the rules, e.g. `0.conditions.1.field`. */
  path: string;
  reason: string;
}

/** Checks rules against a lead type's fields: unknown or encrypted fields, and values the operator can't use. */
export function validateRules(rules: Rules, fields: readonly FieldDef[]): RuleProblem[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const problems: RuleProblem[] = [];
  rules.forEach((group, g) =>
    group.conditions.forEach((c, i) => {
      const at = `${g}.conditions.${i}`;
      const field = byName.get(c.field);
      if (!field) return void problems.push({ path: `${at}.field`, reason: `unknown lead field "${c.field}"` });
      if (field.encrypted) return void problems.push({ path: `${at}.field`, reason: `"${c.field}" is encrypted and can't be used in rules` });
      const reason = valueProblem(c, field);
      if (reason) problems.push({ path: `${at}.value`, reason });
    }),
  );
  return problems;
}

function valueProblem(c: Condition, field: FieldDef): string | undefined {
  const { operator: op, value } = c;
  if (NO_VALUE.has(op)) return value === undefined ? undefined : `${op} takes no value`;
  if (value === undefined) return `${op} needs a value`;
  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) return 'between needs [min, max]';
  } else if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value) || value.length === 0) return `${op} needs a non-empty list`;
  } else if (Array.isArray(value)) {
    return `${op} needs a single value, not a list`;
  }
  const values = Array.isArray(value) ? value : [value];
  if (ORDERING.has(op)) {
    if (field.type === 'number') {
      if (!values.every((v) => typeof v === 'number')) return `${op} on number field "${field.name}" needs numbers`;
    } else if (field.type === 'date') {
      if (!values.every((v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)))) return `${op} on date field "${field.name}" needs ISO dates`;
    } else {
      return `${op} needs a number or date field; "${field.name}" is ${field.type}`;
    }
    if (op === 'between') {
      const [lo, hi] = values.map((v) => (typeof v === 'number' ? v : Date.parse(String(v))));
      if ((lo as number) > (hi as number)) return 'between needs min ≤ max';
    }
    return undefined;
  }
  if (TEXTUAL.has(op) && (field.type === 'number' || field.type === 'boolean')) return `${op} needs a text field; "${field.name}" is ${field.type}`;
  if (field.type === 'boolean' && !values.every((v) => typeof v === 'boolean')) return `"${field.name}" is boolean, so compare it with true or false`;
  if (field.type === 'number' && !values.every((v) => typeof v === 'number')) return `"${field.name}" is a number, so compare it with numbers`;
  if (field.type === 'enum' && !TEXTUAL.has(op)) {
    const allowed = new Set((field.values ?? []).map(norm));
    const bad = values.find((v) => !allowed.has(norm(v)));
    if (bad !== undefined) return `"${String(bad)}" is not one of ${field.name}'s values (${(field.values ?? []).join(', ')})`;
  }
  return undefined;
}
