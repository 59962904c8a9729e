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

/** Whether `at` falls inside the schedule, reading the weekday and time on the partner's wall clock. */
export function isWithinSchedule(schedule: DeliverySchedule, timeZone: string, at: Date): boolean {
  if (schedule.type === 'always') return true;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3);
  const now = Number(part('hour')) * 60 + Number(part('minute'));
  return schedule.windows.some((w) => w.day === day && now >= minutes(w.start) && now < minutes(w.end));
}
