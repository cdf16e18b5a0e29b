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
