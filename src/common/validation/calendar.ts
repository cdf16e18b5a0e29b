const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Gregorian rules: every 4th year, except centuries, except every 400th (so 1900 is not a leap year, 2000 is). */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Whether the day exists in the Gregorian calendar. Plain arithmetic rather
 * than `Date`, which maps years 0–99 onto 1900–1999.
 */
export function isRealCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/**
 * Strict `YYYY-MM-DD` naming a day that exists. Year 0000 is refused:
 * PostgreSQL's `date` has no year zero and would fail the insert instead.
 */
export function isIsoDate(value: string): boolean {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return year >= 1 && isRealCalendarDate(year, month, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The earliest date of birth taken as plausible for a living person. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

/** UTC+14 (Line Islands) is the first zone to reach a date. */
const EARLIEST_ZONE_OFFSET_MS = 14 * 60 * 60 * 1000;

/**
 * Today's date (`YYYY-MM-DD`) in the time zone that is furthest ahead: no
 * date that is already today somewhere is taken for a date in the future.
 */
export function latestTodayOnEarth(now: Date = new Date()): string {
  return new Date(now.getTime() + EARLIEST_ZONE_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * A `YYYY-MM-DD` date of birth from 1900-01-01 to today: anything else is a
 * typing error, and is refused before it reaches a paid provider call.
 */
export function isPlausibleBirthDate(value: string, now: Date = new Date()): boolean {
  // Both bounds are YYYY-MM-DD with four-digit years, so they compare as strings.
  return isIsoDate(value) && value >= EARLIEST_BIRTH_DATE && value <= latestTodayOnEarth(now);
}
