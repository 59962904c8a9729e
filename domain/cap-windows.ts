import type { CapWindow } from './reservations';

/**
 * Which day, week (from Monday) and month an instant falls in on a partner's wall clock. Windows are
 * compared by key, so a cap resets exactly when the local date changes, whatever the UTC offset
 * does across a DST change. Uses only Intl, so workflow code can call it.
 */
export interface WindowKeys { day: string; week: string; month: string }

export const TIMED_WINDOWS = ['day', 'week', 'month'] as const;
export const CAP_WINDOWS: readonly CapWindow[] = [...TIMED_WINDOWS, 'lifetime'];

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
};

/** Whether the runtime knows this IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (utcMs: number) => {
  const d = new Date(utcMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};

export function windowKeys(atMs: number, timeZone: string): WindowKeys {
  const parts = formatterFor(timeZone).formatToParts(new Date(atMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const year = part('year');
  const month = part('month');
  const day = part('day');
  // The local calendar date as a UTC midnight, so plain date arithmetic finds its Monday.
  const localDate = Date.UTC(year, month - 1, day);
  const daysSinceMonday = (new Date(localDate).getUTCDay() + 6) % 7;
  return {
    day: isoDate(localDate),
    week: isoDate(localDate - daysSinceMonday * 86_400_000),
    month: `${pad(year, 4)}-${pad(month)}`,
  };
}
