import { isWithinSchedule } from '../../domain/schedule';
import { templateVariables, unknownTemplateVariables } from '../../domain/templates';
import { vatIdProblem } from '../../domain/vat';

describe('VAT ID formats', () => {
  it.each([
    ['GB123456789', 'GB'],
    ['GB 123 4567 89', 'GB'],
    ['DE123456789', 'DE'],
    ['FR12345678901', 'FR'],
    ['NL123456789B01', 'NL'],
    ['EL123456789', 'GR'],
    ['ATU12345678', 'AT'],
    ['IE1234567T', 'IE'],
    ['ESX1234567X', 'ES'],
  ])('accepts %s for %s', (vatId, country) => {
    expect(vatIdProblem(vatId, country)).toBeUndefined();
  });

  it.each([
    ['DE12345678', 'DE', /not a valid DE VAT ID/],
    ['GB123456789', 'DE', /must start with DE/],
    ['GR123456789', 'GR', /must start with EL/],
    ['NL123456789001', 'NL', /not a valid NL/],
    ['ATU1234567', 'AT', /not a valid AT/],
  ])('refuses %s for %s', (vatId, country, reason) => {
    expect(vatIdProblem(vatId, country)).toMatch(reason);
  });

  it('accepts any plausible tax number for countries outside the EU and UK', () => {
    expect(vatIdProblem('12-3456789', 'US')).toBeUndefined();
  });
});

describe('template variables', () => {
  it('lists each {{field}} once, spaces inside braces allowed', () => {
    expect(templateVariables('{"n":"{{ name }}","p":"{{postcode}}","again":"{{name}}"}')).toEqual(['name', 'postcode']);
  });

  it('flags fields the lead types do not have, but not built-in variables', () => {
    expect(unknownTemplateVariables('{{name}} {{lead.id}} {{price}} {{nmae}}', new Set(['name']))).toEqual(['nmae']);
  });
});

describe('delivery schedule', () => {
  const weekdaysNineToFive = { type: 'weekly' as const, windows: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '09:00', end: '17:00' })) };

  it('reads the window on the partner wall clock, summer time included', () => {
    // Monday 2026-07-06 08:30 UTC is 09:30 in London (BST) and 04:30 in New York.
    const at = new Date('2026-07-06T08:30:00Z');
    expect(isWithinSchedule(weekdaysNineToFive, 'Europe/London', at)).toBe(true);
    expect(isWithinSchedule(weekdaysNineToFive, 'America/New_York', at)).toBe(false);
  });

  it('treats the end of a window as exclusive, and weekends as closed', () => {
    expect(isWithinSchedule(weekdaysNineToFive, 'UTC', new Date('2026-07-06T17:00:00Z'))).toBe(false);
    expect(isWithinSchedule(weekdaysNineToFive, 'UTC', new Date('2026-07-04T12:00:00Z'))).toBe(false);
    expect(isWithinSchedule({ type: 'always' }, 'UTC', new Date('2026-07-04T12:00:00Z'))).toBe(true);
  });
});
