import { SandboxReadings } from './sandbox-readings';
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
 * path is unknown (or does not match the other ids of the path), whatever
 * the readings, and the record's `rejectedStatus` (400 by default) when the
 * record exists but its state forbids the call (rejected, cancelled,
 * expired, already used) or a sign session in the body is unknown or not
 * the identificator's.
 */
export function unknownId(reason: string): ProviderRefusal {
  return new ProviderRefusal(404, 'REJECTED', reason);
}

export function rejected(reason: string, readings: Pick<SandboxReadings, 'rejectedStatus'>): ProviderRefusal {
  return new ProviderRefusal(readings.rejectedStatus, 'REJECTED', reason);
}

/**
 * Reading: the document has no "not yet" answer for 2.5 and 3.3. By default
 * the sandbox answers 404 NOT_FOUND ("The server has not found the signed
 * content.") until the person has finished; the `notYetAnswer` reading
 * makes it 404 or 400 REJECTED, the answers the document lists for them.
 */
export function notReadyYet(reason: string, readings: Pick<SandboxReadings, 'notYetAnswer'>): ProviderRefusal {
  switch (readings.notYetAnswer) {
    case '404-not-found':
      return new ProviderRefusal(404, 'NOT_FOUND', reason);
    case '404-rejected':
      return new ProviderRefusal(404, 'REJECTED', reason);
    case '400-rejected':
      return new ProviderRefusal(400, 'REJECTED', reason);
  }
}
