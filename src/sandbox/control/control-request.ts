import { numericIdOf } from '../wire-format';

/** A control call whose body or path the sandbox cannot act on: 400, with the message naming the field. */
export class ControlRequestError extends Error {}

/** The JSON body of a control call; none counts as empty. */
export type ControlBody = Record<string, unknown>;

export function optionalString(body: ControlBody, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || typeof value === 'string') return value;
  throw new ControlRequestError(`${field} must be a string`);
}

export function oneOf<T extends string>(body: ControlBody, field: string, allowed: readonly T[]): T {
  const value = body[field];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ControlRequestError(`${field} must be one of ${allowed.join(', ')}`);
}

/** A provider word forced into a webhook (`processState`, `code`): upper-case letters and underscores. */
export function wireWord(body: ControlBody, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(value)) return value;
  throw new ControlRequestError(`${field} must be a provider word such as SIGN_SESSION (A-Z and _)`);
}

export function numericIdIn(text: string, field = 'resultId'): number {
  const id = numericIdOf(text);
  if (id === undefined) throw new ControlRequestError(`${field} must be a number`);
  return id;
}

export function unknownAction(action: string): never {
  throw Object.assign(new Error(`Unknown action "${action}"`), { statusCode: 404 });
}
