import { createHash } from 'node:crypto';

export type IdentifierType = 'EGN' | 'LNC' | 'EMAIL' | 'PHONE';
export const IDENTIFIER_TYPES: readonly IdentifierType[] = ['EGN', 'LNC', 'EMAIL', 'PHONE'];

export const SAMPLE_PERSON = { fullName: 'Ivan Petrov Ivanov', egn: '7805166742' } as const;

const EGN_WEIGHTS = [2, 4, 8, 5, 10, 9, 7, 3, 6];
const LNC_WEIGHTS = [21, 19, 17, 13, 11, 9, 7, 3, 1];

/** Ten digits, a real calendar date (month +20 for the 1800s, +40 for the 2000s) and the check digit. */
export function isValidEgn(egn: string): boolean {
  if (!/^\d{10}$/.test(egn)) return false;
  const digits = [...egn].map(Number);
  const remainder = EGN_WEIGHTS.reduce((sum, weight, index) => sum + weight * digits[index], 0) % 11;
  if ((remainder === 10 ? 0 : remainder) !== digits[9]) return false;
  const yy = Number(egn.slice(0, 2));
  const mm = Number(egn.slice(2, 4));
  const dd = Number(egn.slice(4, 6));
  const [year, month] = mm > 40 ? [2000 + yy, mm - 40] : mm > 20 ? [1800 + yy, mm - 20] : [1900 + yy, mm];
  return isCalendarDate(year, month, dd);
}

export function isValidLnc(lnc: string): boolean {
  if (!/^\d{10}$/.test(lnc)) return false;
  const digits = [...lnc].map(Number);
  const sum = LNC_WEIGHTS.reduce((total, weight, index) => total + weight * digits[index], 0);
  return sum % 10 === digits[9];
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The eID identifier "in the relying party's domain": the same person gets
 * the same value from every flow of one relying party and a different value
 * at another relying party, and it stays stable across sandbox restarts.
 */
export function identificatorFor(relyingPartyId: string, type: IdentifierType, value: string): string {
  return createHash('sha256').update(`b-trust-sandbox|${relyingPartyId}|${type}|${value}`).digest('hex');
}

/** `7805166742` → `78******42`; emails keep their first letter and domain. */
export function maskIdentifier(type: IdentifierType, value: string): string {
  if (type === 'EMAIL') {
    const at = value.indexOf('@');
    return at > 0 ? `${value[0]}***${value.slice(at)}` : '***';
  }
  if (value.length <= 4) return '*'.repeat(value.length);
  return `${value.slice(0, 2)}${'*'.repeat(value.length - 4)}${value.slice(-2)}`;
}

/** ETSI EN 319 412-1 natural-person semantics identifier, as B-Trust puts it in certificates. */
export function semanticsIdentifierFor(type: IdentifierType, value: string): string {
  switch (type) {
    case 'EGN':
      return `PNOBG-${value}`;
    case 'LNC':
      return `PI:BG-${value}`;
    default:
      return `IDCBG-${createHash('sha256').update(value).digest('hex').slice(0, 16).toUpperCase()}`;
  }
}

export function splitFullName(fullName: string): { givenName?: string; surname?: string } {
  const names = fullName.trim().split(/\s+/);
  if (names.length < 2) return {};
  return { givenName: names[0], surname: names[names.length - 1] };
}
