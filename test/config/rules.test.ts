import { compileRules, evaluateRules, explain, matches, PreparedLead, RuleBook, validateRules, type Condition, type Rules } from '../../domain/rules';
import type { FieldDef } from '../../domain/lead-type-fields';

const fields: FieldDef[] = [
  { name: 'postcode', type: 'string', required: true, encrypted: false },
  { name: 'loanAmount', type: 'number', required: false, encrypted: false },
  { name: 'homeowner', type: 'boolean', required: false, encrypted: false },
  { name: 'movingDate', type: 'date', required: false, encrypted: false },
  { name: 'product', type: 'enum', required: false, encrypted: false, values: ['Remortgage', 'Purchase'] },
  { name: 'niNumber', type: 'string', required: false, encrypted: true },
];

const lead = { postcode: ' SW1A 1AA ', loanAmount: 250000, homeowner: true, movingDate: '2026-03-15', product: 'Remortgage', notes: '' };
const one = (c: Condition, l: Record<string, unknown> = lead) => evaluateRules([{ conditions: [c] }], l, fields).passed;

describe('a rule condition', () => {
  it.each<[Condition, boolean]>([
    [{ field: 'postcode', operator: 'equals', value: 'sw1a 1aa' }, true],
    [{ field: 'postcode', operator: 'not_equals', value: 'SW1A 1AA' }, false],
    [{ field: 'postcode', operator: 'contains', value: '1a 1' }, true],
    [{ field: 'postcode', operator: 'not_contains', value: 'E1' }, true],
    [{ field: 'postcode', operator: 'starts_with', value: 'SW' }, true],
    [{ field: 'postcode', operator: 'ends_with', value: '1ab' }, false],
    [{ field: 'loanAmount', operator: 'gt', value: 250000 }, false],
    [{ field: 'loanAmount', operator: 'gte', value: 250000 }, true],
    [{ field: 'loanAmount', operator: 'lt', value: 300000 }, true],
    [{ field: 'loanAmount', operator: 'lte', value: 249999 }, false],
    [{ field: 'loanAmount', operator: 'between', value: [100000, 250000] }, true],
    [{ field: 'loanAmount', operator: 'between', value: [250001, 500000] }, false],
    [{ field: 'movingDate', operator: 'gt', value: '2026-01-01' }, true],
    [{ field: 'movingDate', operator: 'between', value: ['2026-04-01', '2026-12-31'] }, false],
    [{ field: 'product', operator: 'in', value: ['purchase', 'REMORTGAGE'] }, true],
    [{ field: 'product', operator: 'not_in', value: ['Remortgage'] }, false],
    [{ field: 'homeowner', operator: 'equals', value: true }, true],
    [{ field: 'notes', operator: 'is_empty' }, true],
    [{ field: 'postcode', operator: 'is_not_empty' }, true],
  ])('%j on the sample lead → %s', (condition, expected) => {
    expect(one(condition)).toBe(expected);
  });

  it('reads numbers sent as text, as web forms send them', () => {
    expect(one({ field: 'loanAmount', operator: 'gt', value: 100 }, { loanAmount: '150' })).toBe(true);
    expect(one({ field: 'loanAmount', operator: 'equals', value: 150 }, { loanAmount: '150.0' })).toBe(true);
  });

  it('fails positive operators on a missing value and passes their negations', () => {
    const missing = {};
    expect(one({ field: 'postcode', operator: 'equals', value: 'x' }, missing)).toBe(false);
    expect(one({ field: 'postcode', operator: 'not_equals', value: 'x' }, missing)).toBe(true);
    expect(one({ field: 'postcode', operator: 'not_in', value: ['x'] }, missing)).toBe(true);
    expect(one({ field: 'loanAmount', operator: 'lt', value: 10 }, missing)).toBe(false);
    expect(one({ field: 'postcode', operator: 'is_empty' }, { postcode: '   ' })).toBe(true);
  });

  it('never matches a number comparison against text that is not a number', () => {
    expect(one({ field: 'loanAmount', operator: 'lt', value: 10 }, { loanAmount: 'lots' })).toBe(false);
    expect(one({ field: 'loanAmount', operator: 'gte', value: 10 }, { loanAmount: 'lots' })).toBe(false);
  });
});

describe('rule groups', () => {
  const rules: Rules = [
    { conditions: [{ field: 'postcode', operator: 'starts_with', value: 'E' }, { field: 'loanAmount', operator: 'gt', value: 100000 }] },
    { conditions: [{ field: 'product', operator: 'equals', value: 'Remortgage' }, { field: 'homeowner', operator: 'equals', value: true }] },
  ];

  it('AND the conditions in a group and OR the groups', () => {
    const result = evaluateRules(rules, lead, fields);
    expect(result.passed).toBe(true);
    expect(result.groups.map((g) => g.passed)).toEqual([false, true]);
    expect(evaluateRules(rules, { ...lead, homeowner: false }, fields).passed).toBe(false);
  });

  it('explain every condition with the expected and actual value, even after a group has failed', () => {
    const [first] = evaluateRules(rules, lead, fields).groups;
    expect(first?.conditions).toEqual([
      { field: 'postcode', operator: 'starts_with', expected: 'E', actual: ' SW1A 1AA ', passed: false },
      { field: 'loanAmount', operator: 'gt', expected: 100000, actual: 250000, passed: true },
    ]);
  });

  it('let every lead through when there are no rules', () => {
    expect(evaluateRules([], {}).passed).toBe(true);
    expect(matches(compileRules([]), {})).toBe(true);
  });

  it('give the same answer from the fast path and the explained path', () => {
    const compiled = compileRules(rules, new Map(fields.map((f) => [f.name, f.type])));
    for (const l of [lead, { ...lead, homeowner: false }, { postcode: 'E14', loanAmount: 100001 }, {}]) {
      const prepared = new PreparedLead(l);
      expect(matches(compiled, prepared)).toBe(explain(compiled, prepared).passed);
    }
  });
});

describe('rules compiled together for one configuration', () => {
  // Routing compiles every assignment of a configuration into one book, so a condition many
  // assignments repeat is decided once per lead: the answers must be those of each rule set alone.
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const sets: Rules[] = [
    [{ conditions: [{ field: 'loanAmount', operator: 'gt', value: 100000 }, { field: 'product', operator: 'equals', value: 'Remortgage' }] }],
    [{ conditions: [{ field: 'loanAmount', operator: 'gt', value: 100000 }, { field: 'homeowner', operator: 'equals', value: false }] }],
    [{ conditions: [{ field: 'postcode', operator: 'in', value: ['SW1A 1AA', 'E1 6AN'] }] }, { conditions: [{ field: 'loanAmount', operator: 'gt', value: 100000 }] }],
    [{ conditions: [{ field: 'movingDate', operator: 'between', value: ['2026-01-01', '2026-06-30'] }, { field: 'notes', operator: 'is_empty' }] }],
    [],
  ];

  it('judge and explain every rule set exactly as when it is compiled alone', () => {
    const book = new RuleBook(types);
    const together = sets.map((rules) => book.compile(rules));
    for (const l of [lead, { ...lead, loanAmount: 90000, homeowner: false }, { postcode: 'e1 6an' }, {}]) {
      const prepared = new PreparedLead(l);
      sets.forEach((rules, i) => {
        const alone = compileRules(rules, types);
        expect(matches(together[i]!, prepared)).toBe(matches(alone, l));
        expect(explain(together[i]!, prepared)).toEqual(explain(alone, l));
      });
    }
  });

  it('keep judging a lead correctly when the book gains rules after the lead was first judged', () => {
    const book = new RuleBook(types);
    const prepared = new PreparedLead(lead);
    expect(matches(book.compile(sets[0]!), prepared)).toBe(true);
    expect(matches(book.compile(sets[1]!), prepared)).toBe(false);
    expect(explain(book.compile(sets[3]!), prepared).passed).toBe(true);
  });
});

describe('rule validation against a lead type', () => {
  const check = (c: Condition) => validateRules([{ conditions: [c] }], fields);

  it('refuses a rule on an encrypted field, with a clear reason', () => {
    expect(check({ field: 'niNumber', operator: 'is_not_empty' })).toEqual([{ path: '0.conditions.0.field', reason: '"niNumber" is encrypted and can\'t be used in rules' }]);
  });

  it('refuses a rule on a field the lead type does not have', () => {
    expect(check({ field: 'zip', operator: 'equals', value: '90' })).toEqual([{ path: '0.conditions.0.field', reason: 'unknown lead field "zip"' }]);
  });

  it.each<[Condition, RegExp]>([
    [{ field: 'postcode', operator: 'gt', value: 5 }, /number or date field/],
    [{ field: 'loanAmount', operator: 'between', value: [10] }, /\[min, max\]/],
    [{ field: 'loanAmount', operator: 'between', value: [10, 5] }, /min ≤ max/],
    [{ field: 'loanAmount', operator: 'equals', value: 'ten' }, /numbers/],
    [{ field: 'product', operator: 'in', value: ['Equity release'] }, /not one of/],
    [{ field: 'product', operator: 'in', value: [] }, /non-empty list/],
    [{ field: 'postcode', operator: 'equals' }, /needs a value/],
    [{ field: 'postcode', operator: 'is_empty', value: 'x' }, /takes no value/],
    [{ field: 'movingDate', operator: 'gt', value: 'soon' }, /ISO dates/],
    [{ field: 'homeowner', operator: 'contains', value: 't' }, /text field/],
  ])('refuses %j', (condition, reason) => {
    expect(check(condition)).toEqual([{ path: '0.conditions.0.value', reason: expect.stringMatching(reason) }]);
  });

  it('accepts well-formed rules', () => {
    expect(validateRules([{ conditions: [{ field: 'loanAmount', operator: 'between', value: [1, 2] }, { field: 'product', operator: 'equals', value: 'purchase' }] }], fields)).toEqual([]);
  });
});
