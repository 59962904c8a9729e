import { freeSlots, isSlotStart, type AppointmentAvailability } from '../../domain/appointment-slots';

const hourly: AppointmentAvailability = {
  windows: [{ day: 'mon', start: '09:00', end: '12:00' }], slotMinutes: 60, intervalMinutes: 60, minimumNoticeMinutes: 0, bufferMinutes: 0, concurrent: 1,
};
const week = (from: string, to: string) => ({ from: new Date(from), to: new Date(to), now: new Date('2026-01-01T00:00:00Z') });
const starts = (slots: { startsAt: string }[]) => slots.map((s) => s.startsAt);

describe('free appointment slots', () => {
  it('opens at 09:00 on the partner’s wall clock on both sides of a clock change, in London and New York', () => {
    expect(starts(freeSlots(hourly, 'Europe/London', week('2026-03-23T00:00:00Z', '2026-03-24T00:00:00Z'), []))).toEqual(['2026-03-23T09:00:00.000Z', '2026-03-23T10:00:00.000Z', '2026-03-23T11:00:00.000Z']);
    expect(starts(freeSlots(hourly, 'Europe/London', week('2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z'), []))).toEqual(['2026-03-30T08:00:00.000Z', '2026-03-30T09:00:00.000Z', '2026-03-30T10:00:00.000Z']);
    const ny = { ...hourly, windows: [{ day: 'mon' as const, start: '09:00', end: '10:00' }] };
    expect(starts(freeSlots(ny, 'America/New_York', week('2026-03-02T00:00:00Z', '2026-03-10T00:00:00Z'), []))).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
  });

  it('has no slot at a wall-clock time the clocks skip', () => {
    const night = { ...hourly, windows: [{ day: 'sun' as const, start: '00:00', end: '03:00' }] };
    expect(starts(freeSlots(night, 'Europe/London', week('2026-03-29T00:00:00Z', '2026-03-29T12:00:00Z'), []))).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
  });

  it('keeps a slot while the partner has someone free, and the buffer around each appointment', () => {
    const twoSurveyors = { ...hourly, concurrent: 2, bufferMinutes: 30, slotMinutes: 30 as const, intervalMinutes: 30 as const };
    const booked = [{ startsAt: new Date('2026-03-23T10:00:00Z'), endsAt: new Date('2026-03-23T10:30:00Z') }];
    const day = week('2026-03-23T00:00:00Z', '2026-03-24T00:00:00Z');
    expect(starts(freeSlots(twoSurveyors, 'Europe/London', day, booked))).toHaveLength(6);
    const full = [...booked, { ...booked[0]! }];
    expect(starts(freeSlots(twoSurveyors, 'Europe/London', day, full))).toEqual(['2026-03-23T09:00:00.000Z', '2026-03-23T11:00:00.000Z', '2026-03-23T11:30:00.000Z']);
  });

  it('offers nothing sooner than the minimum notice', () => {
    const notice = { ...hourly, minimumNoticeMinutes: 24 * 60 };
    const range = { from: new Date('2026-03-23T00:00:00Z'), to: new Date('2026-03-31T00:00:00Z'), now: new Date('2026-03-22T10:30:00Z') };
    expect(starts(freeSlots(notice, 'Europe/London', range, []))).toEqual(['2026-03-23T11:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-03-30T09:00:00.000Z', '2026-03-30T10:00:00.000Z']);
  });

  it('knows a slot start from any other moment', () => {
    expect(isSlotStart(hourly, 'Europe/London', new Date('2026-03-30T08:00:00Z'))).toBe(true);
    expect(isSlotStart(hourly, 'Europe/London', new Date('2026-03-30T08:30:00Z'))).toBe(false);
    expect(isSlotStart(hourly, 'Europe/London', new Date('2026-03-30T11:00:00Z'))).toBe(false);
    expect(isSlotStart(hourly, 'Europe/London', new Date('2026-03-31T08:00:00Z'))).toBe(false);
  });
});
