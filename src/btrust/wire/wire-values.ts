/**
 * Parsing and formatting single provider values: dates, ids, base64 documents.
 * Pure functions; the shapes that use them are in the *.wire.ts files beside this one.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reading: the document shows ids both as JSON numbers and as strings (`resultId: 95` in 2.1,
 * `"95"` in the 2.4 callback, `109` in 3.2). Both are accepted and kept as strings; a number must
 * be a non-negative safe integer so that its string form is exact.
 */
export function readWireId(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return String(value);
  }
  return null;
}

export function readWireString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * `YYYY-MM-DD` then `T` (or a space), then hours, minutes, seconds separated by `:` or `.`, an
 * optional fraction of any length, and an optional zone (`Z`, `+hh`, `+hhmm`, `+hh:mm`).
 */
const PROVIDER_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2})[:.](\d{2})[:.](\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Reading: the provider's own zone. The document's examples all carry an offset, but the
 * provider (BORICA, Sofia) may write local time without one, as its sister API's examples
 * suggest; such a date is read as wall-clock time there.
 */
export const DEFAULT_PROVIDER_TIME_ZONE = 'Europe/Sofia';

/**
 * Reading: the document's own dates are ISO 8601 with `+00:00`, `+03:00` or `Z` and 3 or 6
 * fraction digits; the provider's sister API writes `2019-01-23T23.59.57.000+0000`. All of
 * those are accepted. A date-time without a zone is read as wall-clock time in `localTimeZone`
 * (an IANA name, summer time included), so that a deadline written that way still bounds the
 * flow. An unreadable date becomes null: a date's format alone never fails a flow.
 */
export function parseProviderDate(value: unknown, localTimeZone: string = DEFAULT_PROVIDER_TIME_ZONE): Date | null {
  if (typeof value !== 'string') {
    return null;
  }
  const match = PROVIDER_DATE_TIME.exec(value.trim());
  if (!match) {
    return null;
  }
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (!isCalendarDate(y, mo, d) || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const wallClock = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds);
  if (zone === undefined) {
    return new Date(wallClockToInstant(wallClock, localTimeZone));
  }
  const offsetMinutes = parseZoneOffsetMinutes(zone);
  if (offsetMinutes === null) {
    return null;
  }
  return new Date(wallClock - offsetMinutes * 60_000);
}

const HOUR_MS = 60 * 60_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at `instant`, in milliseconds (whole seconds). */
function zoneOffsetMs(zone: string, instant: number): number {
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The instant whose wall-clock time in `zone` is `wallClock` (its fields read as if UTC). Zones
 * change offset at most once around a given hour, so the offsets a day before and a day after
 * are the only candidates. Reading: a time that occurs twice (autumn) or never (spring, in the
 * skipped hour) is taken as the later instant: a deadline read that way keeps a flow open longer,
 * never shorter.
 */
function wallClockToInstant(wallClock: number, zone: string): number {
  const candidates = [...new Set([zoneOffsetMs(zone, wallClock - 24 * HOUR_MS), zoneOffsetMs(zone, wallClock + 24 * HOUR_MS)])].map(
    (offset) => wallClock - offset,
  );
  const exact = candidates.filter((instant) => instant + zoneOffsetMs(zone, instant) === wallClock);
  return Math.max(...(exact.length > 0 ? exact : candidates));
}

function parseZoneOffsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') {
    return 0;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 14 || minutes > 59) {
    return null;
  }
  return sign * (hours * 60 + minutes);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

const ISO_CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `1978-05-16` → `16-05-1978` (the provider's `dd-MM-yyyy`); null when not a real calendar date. */
export function toWireDateOfBirth(isoDate: string): string | null {
  const match = ISO_CALENDAR_DATE.exec(isoDate);
  if (!match) {
    return null;
  }
  const [, year, month, day] = match;
  if (!isCalendarDate(Number(year), Number(month), Number(day))) {
    return null;
  }
  return `${day}-${month}-${year}`;
}

const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reading: documents arrive as standard, padded base64 (the provider is a Java service, whose
 * encoders pad). Line breaks are tolerated; anything else that is not base64 — a wrong
 * alphabet, missing padding, a length that is not a multiple of 4 — is refused, because
 * Node's decoder would silently drop it and hand back a truncated document.
 */
export function decodeStrictBase64(value: string): Buffer | null {
  const compact = value.replace(/[\r\n]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64_BODY.test(compact)) {
    return null;
  }
  return Buffer.from(compact, 'base64');
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');

/**
 * Reading: every document the provider returns is described as a base64 PDF, so anything else
 * is refused. PDF readers accept the header anywhere in the first 1024 bytes; so do we.
 */
export function looksLikePdf(content: Buffer): boolean {
  return content.subarray(0, 1024).includes(PDF_MAGIC);
}
