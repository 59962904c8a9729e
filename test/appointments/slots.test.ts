import { freeSlots, type AppointmentAvailability } from '../../domain/appointment-slots';

const weekdays = (start: string, end: string) => (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start, end }));
const availability = (over: Partial<AppointmentAvailability> = {}): AppointmentAvailability => ({
  windows: weekdays('09:00', '11:00'), slotMinutes: 60, minNoticeMinutes: 0, bufferMinutes: 0, concurrency: 1, ...over,
});
const starts = (slots: { start: string }[]) => slots.map((s) => s.start);
const range = (from: string, to: string, now = '2000-01-01T00:00:00Z') => ({ from: new Date(from), to: new Date(to), now: new Date(now) });

describe('free appointment slots', () => {
  it('keeps 09:00 on the partner wall clock across the spring DST change in Europe/London', () => {
    // Clocks go forward on Sunday 29 March 2026: Friday is GMT, Monday is BST.
    const slots = freeSlots(availability(), 'Europe/London', [], range('2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'));
    expect(starts(slots)).toEqual(['2026-03-27T09:00:00.000Z', '2026-03-27T10:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-03-30T09:00:00.000Z']);
  });

  it('keeps 09:00 on the wall clock across the autumn change in America/New_York', () => {
    // Clocks go back on Sunday 1 November 2026: Friday is EDT (-4), Monday EST (-5).
    const slots = freeSlots(availability({ windows: weekdays('09:00', '10:00') }), 'America/New_York', [], range('2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'));
    expect(starts(slots)).toEqual(['2026-10-30T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('skips a slot whose wall time the clocks jump over, and offers a repeated hour once', () => {
    const sundays = (start: string, end: string) => [{ day: 'sun' as const, start, end }];
    const spring = freeSlots(availability({ windows: sundays('00:00', '04:00') }), 'Europe/London', [], range('2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'));
    expect(starts(spring)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
    const autumn = freeSlots(availability({ windows: sundays('01:00', '02:00') }), 'Europe/London', [], range('2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z'));
    expect(starts(autumn)).toEqual(['2026-10-25T00:00:00.000Z']);
  });

  it('leaves out slots inside the minimum notice, and those the buffer around a booking touches', () => {
    const slots = freeSlots(
      availability({ windows: weekdays('09:00', '13:00'), slotMinutes: 30, minNoticeMinutes: 120, bufferMinutes: 30 }),
      'UTC',
      [{ start: new Date('2026-06-01T11:00:00Z'), end: new Date('2026-06-01T11:30:00Z') }],
      range('2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z', '2026-06-01T08:00:00Z'),
    );
    expect(starts(slots)).toEqual(['2026-06-01T10:00:00.000Z', '2026-06-01T12:00:00.000Z', '2026-06-01T12:30:00.000Z']);
  });

  it('offers a slot until as many appointments as the partner takes at once are booked in it', () => {
    const booked = [{ start: new Date('2026-06-01T09:00:00Z'), end: new Date('2026-06-01T10:00:00Z') }];
    const two = freeSlots(availability({ concurrency: 2 }), 'UTC', booked, range('2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z'));
    expect(two).toEqual([{ start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T10:00:00.000Z', free: 1 }]);
    expect(freeSlots(availability(), 'UTC', booked, range('2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z'))).toEqual([]);
  });
});
