/** `+`, then 8 to 15 digits of which the first (the country code's) is not zero. */
const E164_PHONE = /^\+[1-9]\d{7,14}$/;

/**
 * The characters the HTML standard's e-mail check allows before the `@`,
 * arranged as an RFC 5322 dot-atom: no leading, trailing or doubled dot.
 */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ALL_DIGITS = /^\d+$/;

/** RFC 5321 limits: 64 octets before the `@`, 254 for the whole forward path. */
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_EMAIL_LENGTH = 254;

export function isE164Phone(value: string): boolean {
  return typeof value === 'string' && E164_PHONE.test(value);
}

/**
 * A deliberately conservative check, since the address is handed to the
 * provider for delivery: ASCII only (internationalised domains must be given
 * in punycode), no quoted local parts, no IP-literal domains, and at least two
 * domain labels with a top-level label that is not all digits.
 */
export function isEmailAddress(value: string): boolean {
  if (typeof value !== 'string' || value.length > MAX_EMAIL_LENGTH) return false;
  const parts = value.split('@');
  if (parts.length !== 2) return false;
  const [localPart, domain] = parts;
  if (localPart.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(localPart)) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  const topLevel = labels[labels.length - 1];
  return topLevel.length >= 2 && !ALL_DIGITS.test(topLevel);
}
