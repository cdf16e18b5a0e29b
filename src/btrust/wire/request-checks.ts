/** Checks on what we send: a request that fails them is refused before it leaves. */
import { BtrustError } from '../btrust.errors';
import type { BtrustOperation } from './provider-answer';

export function invalidRequest(operation: BtrustOperation, detail: string): BtrustError {
  return new BtrustError({ code: 'BAD_REQUEST', operation, message: `not sent: ${detail}`, notSent: true });
}

export function requireText(operation: BtrustOperation, name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidRequest(operation, `${name} must be a non-empty string`);
  }
  return value;
}
