import type { ScheduleWindow } from './schedule';
import { WEEKDAYS } from './schedule';

/** When a partner takes appointments: weekly windows on its own wall clock, cut into slots. */
export interface AppointmentAvailability {
  windows: ScheduleWindow[];
  slotMinutes: 15 | 30 | 60;
  /** No slot starts sooner than this after now. */
  minNoticeMinutes: number;
  /** Kept free before and after each appointment (travel, notes). */
  bufferMinutes: number;
  /** Appointments it takes at once, e.g. 2 surveyors. */
  concurrency: number;
}

export interface Booked { start: Date; end: Date }
export interface Slot { start: string; end: string; free: number }

const MINUTE = 60_000;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in ms. */
export function offsetAt(timeZone: string, at: number): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` names; null for a time the clocks skip (spring forward).
 * A time that happens twice (fall back) is the earlier.
 */
export function wallTimeToInstant(timeZone: string, utcMidnightOfDay: number, minuteOfDay: number): number | null {
  const wall = utcMidnightOfDay + minuteOfDay * MINUTE;
  const candidates = [offsetAt(timeZone, wall - 14 * 3600_000), offsetAt(timeZone, wall + 14 * 3600_000)]
    .map((offset) => wall - offset)
    .filter((at) => at + offsetAt(timeZone, at) === wall)
    .sort((a, b) => a - b);
  return candidates[0] ?? null;
}

/**
 * Free slots starting in [from, to): the windows cut into slots of the partner's length, on its wall
 * clock (so across a DST change a 09:00 slot stays at 09:00 local), after the minimum notice, with
 * fewer than `concurrency` booked appointments within the buffer of each.
 */
export function freeSlots(availability: AppointmentAvailability, timeZone: string, booked: Booked[], range: { from: Date; to: Date; now: Date }): Slot[] {
  const earliest = Math.max(range.from.getTime(), range.now.getTime() + availability.minNoticeMinutes * MINUTE);
  const slotMs = availability.slotMinutes * MINUTE;
  const buffer = availability.bufferMinutes * MINUTE;
  const slots: Slot[] = [];
  // Wall-clock days from one before `from` to one after `to`, whatever the zone's offset.
  const firstDay = Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), range.from.getUTCDate()) - 86_400_000;
  for (let day = firstDay; day <= range.to.getTime() + 86_400_000; day += 86_400_000) {
    const weekday = WEEKDAYS[new Date(day).getUTCDay()];
    const starts = availability.windows
      .filter((w) => w.day === weekday)
      .flatMap((w) => {
        const out: number[] = [];
        for (let m = minutes(w.start); m + availability.slotMinutes <= minutes(w.end); m += availability.slotMinutes) out.push(m);
        return out;
      });
    for (const minute of [...new Set(starts)].sort((a, b) => a - b)) {
      const start = wallTimeToInstant(timeZone, day, minute);
      if (start === null || start < earliest || start >= range.to.getTime()) continue;
      const end = start + slotMs;
      const taken = booked.filter((b) => b.start.getTime() < end + buffer && start < b.end.getTime() + buffer).length;
      if (taken < availability.concurrency) slots.push({ start: new Date(start).toISOString(), end: new Date(end).toISOString(), free: availability.concurrency - taken });
    }
  }
  return slots;
}
