import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Whether an Authorization header carries exactly the expected bearer token.
 * Both sides are hashed first, so the comparison takes the same time whatever
 * the candidate's length or how much of it matches.
 */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  const candidate = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (candidate === undefined) return false;
  return timingSafeEqual(sha256(candidate), sha256(expected));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
