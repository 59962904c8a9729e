import { offsetAt, wallTimeToInstant } from './appointment-slots';

/** Per lead type: when an appointment's reminders go out, and where the consumer is reached. */
export interface AppointmentSettings {
  /** Before the appointment, on the consumer's wall clock: 1440 is the same time the day before. */
  reminderOffsetsMinutes: number[];
  /** After the appointment ends, how long the partner has to say attended or no-show before it counts as kept. */
  outcomeGraceMinutes: number;
  /** The lead fields holding the consumer's mobile number, email address and IANA timezone. */
  consumerPhoneField: string;
  consumerEmailField: string;
  consumerTimezoneField: string;
}

export const DEFAULT_APPOINTMENT_SETTINGS: AppointmentSettings = {
  reminderOffsetsMinutes: [24 * 60, 60],
  outcomeGraceMinutes: 48 * 60,
  consumerPhoneField: 'phone',
  consumerEmailField: 'email',
  consumerTimezoneField: 'timezone',
};

/** No SMS between 21:00 and 08:00 on the consumer's clock; one due then goes at 08:00. */
export const QUIET_HOURS = { fromMinute: 21 * 60, untilMinute: 8 * 60 };

export type Channel = 'email' | 'sms';
export interface DueReminder { offsetMinutes: number; channel: Channel; at: number }

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The instant `offsetMinutes` before `at` on `timeZone`'s wall clock (so 1440 is the same clock time the day before, 23 or 25 h across a DST change). */
export function wallClockBefore(timeZone: string, at: number, offsetMinutes: number): number {
  const wall = at + offsetAt(timeZone, at) - offsetMinutes * MINUTE;
  const day = Math.floor(wall / DAY) * DAY;
  // A wall time the clocks skip has no instant: count elapsed minutes instead.
  return wallTimeToInstant(timeZone, day, (wall - day) / MINUTE) ?? at - offsetMinutes * MINUTE;
}

/** When an SMS due at `at` may go: at once, or at the end of the consumer's quiet hours. */
export function afterQuietHours(timeZone: string, at: number): number {
  const wall = at + offsetAt(timeZone, at);
  const day = Math.floor(wall / DAY) * DAY;
  const minute = (wall - day) / MINUTE;
  if (minute >= QUIET_HOURS.untilMinute && minute < QUIET_HOURS.fromMinute) return at;
  const morning = minute >= QUIET_HOURS.fromMinute ? day + DAY : day;
  return wallTimeToInstant(timeZone, morning, QUIET_HOURS.untilMinute) ?? at;
}

/**
 * Every reminder of an appointment starting at `start`, earliest first: an email and an SMS per
 * offset. Those due before `since` (the booking or the last move) are left out, and an SMS that
 * quiet hours would push to the appointment itself or later is skipped.
 */
export function reminderSchedule(input: { start: number; timeZone: string; offsetsMinutes: number[]; since: number }): DueReminder[] {
  const due = input.offsetsMinutes.flatMap((offsetMinutes) => {
    const at = wallClockBefore(input.timeZone, input.start, offsetMinutes);
    return [
      { offsetMinutes, channel: 'email' as const, at },
      { offsetMinutes, channel: 'sms' as const, at: afterQuietHours(input.timeZone, at) },
    ];
  });
  return due.filter((r) => r.at >= input.since && r.at < input.start).sort((a, b) => a.at - b.at || b.offsetMinutes - a.offsetMinutes || a.channel.localeCompare(b.channel));
}

export const reminderKey = (r: Pick<DueReminder, 'offsetMinutes' | 'channel'>, version: number) => `v${version}:${r.offsetMinutes}:${r.channel}`;

/** How an appointment's time reads to someone in `timeZone`, e.g. "Tuesday 30 March 2027 at 09:00 (Europe/London)". */
export function localTime(at: Date | string, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.weekday} ${p.day} ${p.month} ${p.year} at ${p.hour}:${p.minute} (${timeZone})`;
}

/** A name Intl knows as a timezone. */
export function isTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || name === '') return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** What an appointment's workflow works from: its time, its version and its lead type's settings. */
export interface AppointmentPlan {
  id: string;
  leadId: string;
  partnerId: string;
  start: string;
  end: string;
  version: number;
  status: 'held' | 'booked' | 'released' | 'cancelled';
  /** The consumer's: the lead's timezone field, else the partner's timezone. */
  timeZone: string;
  reminderOffsetsMinutes: number[];
  outcomeGraceMinutes: number;
  outcome: 'attended' | 'no_show' | 'kept' | null;
}
