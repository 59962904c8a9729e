import { DateTime } from 'luxon';
import { WEEKDAYS, type ScheduleWindow } from './schedule';

export const SLOT_MINUTES = [15, 30, 60] as const;

/** When a partner takes appointments: weekly windows on its own wall clock, sliced into slots. */
export interface AppointmentAvailability {
  windows: ScheduleWindow[];
  /** How long an appointment lasts. */
  slotMinutes: (typeof SLOT_MINUTES)[number];
  /** How often a slot may start: every 15, 30 or 60 minutes. */
  intervalMinutes: (typeof SLOT_MINUTES)[number];
  /** No slot starts sooner than this after now. */
  minimumNoticeMinutes: number;
  /** Kept free before and after each appointment (travel, notes). */
  bufferMinutes: number;
  /** Appointments the partner takes at once (for example, two surveyors). */
  concurrent: number;
}

export interface Slot { startsAt: string; endsAt: string }
export interface Booked { startsAt: Date; endsAt: Date }

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether one more appointment fits at [start, end): fewer than `concurrent` booked ones overlap it,
 * each widened by the buffer.
 */
export function fits(availability: AppointmentAvailability, booked: readonly Booked[], start: number, end: number): boolean {
  const buffer = availability.bufferMinutes * 60_000;
  const overlapping = booked.filter((b) => b.startsAt.getTime() - buffer < end && b.endsAt.getTime() + buffer > start).length;
  return overlapping < availability.concurrent;
}

/**
 * The free slots between `from` and `to`: each window of each day on the partner's wall clock (so a
 * 09:00 window opens at 09:00 local on both sides of a clock change), past the minimum notice, where
 * booked appointments leave room. A wall-clock time that doesn't exist (clocks going forward) has no slot.
 */
export function freeSlots(availability: AppointmentAvailability, timeZone: string, range: { from: Date; to: Date; now: Date }, booked: readonly Booked[]): Slot[] {
  const slots: Slot[] = [];
  const earliest = range.now.getTime() + availability.minimumNoticeMinutes * 60_000;
  const length = availability.slotMinutes * 60_000;
  const lastDay = DateTime.fromJSDate(range.to, { zone: timeZone }).startOf('day');
  for (let day = DateTime.fromJSDate(range.from, { zone: timeZone }).startOf('day'); day <= lastDay; day = day.plus({ days: 1 })) {
    const weekday = WEEKDAYS[day.weekday % 7];
    for (const window of availability.windows.filter((w) => w.day === weekday)) {
      for (let minute = minutesOf(window.start); minute + availability.slotMinutes <= minutesOf(window.end); minute += availability.intervalMinutes) {
        const local = day.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
        if (local.hour * 60 + local.minute !== minute) continue;
        const start = local.toMillis();
        const end = start + length;
        if (start < earliest || start < range.from.getTime() || end > range.to.getTime()) continue;
        if (fits(availability, booked, start, end)) slots.push({ startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString() });
      }
    }
  }
  return slots;
}

/** Whether `startsAt` is one of the partner's slot starts: in a window, on the interval, and long enough before the window closes. */
export function isSlotStart(availability: AppointmentAvailability, timeZone: string, startsAt: Date): boolean {
  const local = DateTime.fromJSDate(startsAt, { zone: timeZone });
  const minute = local.hour * 60 + local.minute;
  if (local.second !== 0 || local.millisecond !== 0) return false;
  return availability.windows.some((w) => w.day === WEEKDAYS[local.weekday % 7] && minute >= minutesOf(w.start)
    && (minute - minutesOf(w.start)) % availability.intervalMinutes === 0 && minute + availability.slotMinutes <= minutesOf(w.end));
}
