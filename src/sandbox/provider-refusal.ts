import { ErrorCode } from './wire-format';

/**
 * The provider refusing a call: the HTTP status and the documented error
 * body it answers with. `reason` is for the sandbox's log only, never sent,
 * and never holds personal data.
 */
export class ProviderRefusal extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: ErrorCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ProviderRefusal';
  }
}

export function badRequest(reason: string): ProviderRefusal {
  return new ProviderRefusal(400, 'BAD_REQUEST', reason);
}

/**
 * Reading: the document allows REJECTED with 400, 401, 403, 404 or 500 and
 * does not say which for what. The sandbox answers 404 when an id in the
 * path is unknown (or does not match the other ids of the path) and 400
 * when the record exists but its state forbids the call (rejected,
 * cancelled, expired, already used) or a sign session in the body is
 * unknown or not the identificator's.
 */
export function unknownId(reason: string): ProviderRefusal {
  return new ProviderRefusal(404, 'REJECTED', reason);
}

export function rejected(reason: string): ProviderRefusal {
  return new ProviderRefusal(400, 'REJECTED', reason);
}

/**
 * Reading: the document has no "not yet" answer for 2.5 and 3.3; the
 * sandbox answers 404 NOT_FOUND ("The server has not found the signed
 * content.") until the person has finished.
 */
export function notReadyYet(reason: string): ProviderRefusal {
  return new ProviderRefusal(404, 'NOT_FOUND', reason);
}
