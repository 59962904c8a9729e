/** When a partner takes deliveries: always, or in weekly windows of its own timezone. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ScheduleWindow {
  day: Weekday;
  /** "HH:MM", inclusive. */
  start: string;
  /** "HH:MM", exclusive; "24:00" is the end of the day. A window never crosses midnight: split it in two. */
  end: string;
}

export type DeliverySchedule = { type: 'always' } | { type: 'weekly'; windows: ScheduleWindow[] };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

// Building a formatter costs far more than using one; routing reads thousands of partners' clocks per lead.
const clocks = new Map<string, Intl.DateTimeFormat>();
const clockFor = (timeZone: string) => {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, f);
  }
  return f;
};

/** The weekday and minute of the day on a wall clock in `timeZone`. */
export function wallClock(timeZone: string, at: Date): { day: string; minute: number } {
  const parts = clockFor(timeZone).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: part('weekday').toLowerCase().slice(0, 3), minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Whether `at` falls inside the schedule, reading the weekday and time on the partner's wall clock. */
export function isWithinSchedule(schedule: DeliverySchedule, timeZone: string, at: Date, clock?: { day: string; minute: number }): boolean {
  if (schedule.type === 'always') return true;
  clock ??= wallClock(timeZone, at);
  return schedule.windows.some((w) => w.day === clock.day && clock.minute >= minutes(w.start) && clock.minute < minutes(w.end));
}
