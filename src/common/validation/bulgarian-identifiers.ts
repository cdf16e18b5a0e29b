import { isRealCalendarDate } from './calendar';
import { isE164Phone } from './contact';

export type Sex = 'male' | 'female';

export type EgnInvalidReason = 'FORMAT' | 'DATE' | 'CHECKSUM';

export type EgnParseResult =
  | { ok: true; /** `YYYY-MM-DD` */ birthDate: string; sex: Sex }
  | { ok: false; reason: EgnInvalidReason };

const TEN_DIGITS = /^\d{10}$/;
const EGN_WEIGHTS = [2, 4, 8, 5, 10, 9, 7, 3, 6];
const LNC_WEIGHTS = [21, 19, 17, 13, 11, 9, 7, 3, 1];

/**
 * EGN (ЕГН), `YYMMDD RRR C`: the month carries the century (+20 for the
 * 1800s, +40 for the 2000s), the 9th digit's parity the sex (even for men),
 * and the last digit a weighted mod-11 check where 10 counts as 0.
 */
export function parseEgn(egn: string): EgnParseResult {
  if (typeof egn !== 'string' || !TEN_DIGITS.test(egn)) return { ok: false, reason: 'FORMAT' };
  const digits = [...egn].map(Number);

  const birthDate = egnBirthDate(digits);
  if (birthDate === undefined) return { ok: false, reason: 'DATE' };

  const remainder = weightedSum(digits, EGN_WEIGHTS) % 11;
  if (digits[9] !== remainder % 10) return { ok: false, reason: 'CHECKSUM' };

  return { ok: true, birthDate, sex: digits[8] % 2 === 0 ? 'male' : 'female' };
}

/** LNC (ЛНЧ), the personal number of a foreigner: ten digits with a weighted mod-10 check digit. */
export function isValidLnc(lnc: string): boolean {
  if (typeof lnc !== 'string' || !TEN_DIGITS.test(lnc)) return false;
  const digits = [...lnc].map(Number);
  return weightedSum(digits, LNC_WEIGHTS) % 10 === digits[9];
}

/**
 * An identifier as it may be shown back to a client: E.164 phones keep their
 * country code and last 3 digits, e-mail addresses the first character of the
 * local part and the domain, anything else (EGN, LNC) its last 4 characters.
 * At least 4 characters of a value are always hidden, so short values are
 * hidden entirely and nothing of length 4 or more comes back whole.
 */
export function maskIdentifier(value: string): string {
  if (isE164Phone(value)) return maskPhone(value);
  const at = value.lastIndexOf('@');
  if (at > 0 && at < value.length - 1) return maskEmail(value.slice(0, at), value.slice(at));
  return maskKeepingTail(value);
}

function egnBirthDate(digits: number[]): string | undefined {
  const yy = digits[0] * 10 + digits[1];
  const encodedMonth = digits[2] * 10 + digits[3];
  const day = digits[4] * 10 + digits[5];
  const [century, month] =
    encodedMonth > 40
      ? [2000, encodedMonth - 40]
      : encodedMonth > 20
        ? [1800, encodedMonth - 20]
        : [1900, encodedMonth];
  const year = century + yy;
  if (!isRealCalendarDate(year, month, day)) return undefined;
  return `${year}-${twoDigits(month)}-${twoDigits(day)}`;
}

function weightedSum(digits: number[], weights: number[]): number {
  return weights.reduce((sum, weight, index) => sum + weight * digits[index], 0);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

const MIN_HIDDEN = 4;
const MAX_SHOWN_TAIL = 4;
const PHONE_SHOWN_TAIL = 3;

/** Works on code points so that a mask never splits a surrogate pair. */
function maskKeepingTail(value: string): string {
  const characters = Array.from(value);
  const shown = Math.min(MAX_SHOWN_TAIL, Math.max(0, characters.length - MIN_HIDDEN));
  return '*'.repeat(characters.length - shown) + characters.slice(characters.length - shown).join('');
}

function maskEmail(localPart: string, atAndDomain: string): string {
  const characters = Array.from(localPart);
  const masked = characters.length === 1 ? '*' : characters[0] + '*'.repeat(characters.length - 1);
  return masked + atAndDomain;
}

function maskPhone(phone: string): string {
  const digits = phone.slice(1);
  const countryCode = digits.slice(0, countryCodeLength(digits));
  const hidden = digits.length - countryCode.length - PHONE_SHOWN_TAIL;
  return `+${countryCode}${'*'.repeat(hidden)}${digits.slice(-PHONE_SHOWN_TAIL)}`;
}

/**
 * ITU-T E.164 country codes form a prefix code: `1` and `7` stand alone,
 * these two-digit codes are assigned, and every other code has three digits
 * (Bulgaria's is 359).
 */
const TWO_DIGIT_COUNTRY_CODES = new Set([
  '20', '27',
  '30', '31', '32', '33', '34', '36', '39',
  '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58',
  '60', '61', '62', '63', '64', '65', '66',
  '81', '82', '84', '86',
  '90', '91', '92', '93', '94', '95', '98',
]);

function countryCodeLength(digits: string): number {
  if (digits[0] === '1' || digits[0] === '7') return 1;
  return TWO_DIGIT_COUNTRY_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}
