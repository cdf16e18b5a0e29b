import { HttpStatus } from '@nestjs/common';
import type { BtrustError } from '../../btrust/btrust.errors';
import type { ProblemExample } from '../../common/http/api-problem-responses.decorator';
import { ApiProblem } from '../../common/problem/problem';
import { PROBLEM_TYPE_BASE } from '../../common/problem/to-problem';
import { notStartedProblem } from '../../common/problem/upstream-problem';
import type { WebIdentification } from './web-identification.entity';

export const IDENTIFICATION_DENIED_DETAIL =
  'An agent at B-Trust denied this identification after approving it (review DENIED): documents can no longer be signed with it. ' +
  'Identify the person again to sign.';

/**
 * Whether documents may be signed with this identification now: only an IDENTIFIED one with an
 * unexpired sign session (a sign session is used once and handed back renewed). A DENIED one says
 * why it can no longer sign.
 */
export function assertCanSign(identification: WebIdentification): void {
  if (identification.status === 'DENIED') {
    throw new ApiProblem(
      HttpStatus.CONFLICT,
      'IDENTIFICATION_DENIED',
      'Identification denied',
      IDENTIFICATION_DENIED_DETAIL,
    );
  }
  if (identification.status !== 'IDENTIFIED' || !identification.signSessionId || !identification.clientIdentificator) {
    throw new ApiProblem(
      HttpStatus.CONFLICT,
      'NOT_IDENTIFIED',
      'Not identified',
      `The identification is ${identification.status}; documents can be signed only once it is IDENTIFIED.`,
    );
  }
  if (identification.signSessionExpiresAt !== null && identification.signSessionExpiresAt.getTime() <= Date.now()) {
    throw new ApiProblem(
      HttpStatus.CONFLICT,
      'SIGN_SESSION_EXPIRED',
      'Sign session expired',
      'The sign session of this identification has expired; identify the person again to sign.',
    );
  }
}

const STATUS_UNAVAILABLE_DETAIL =
  'B-Trust could not be asked whether this identification is still approved, so nothing was sent for signing. Try again later.';

/**
 * B-Trust could not be asked whether an identification is still approved before a signing:
 * nothing was sent for signing. Our own certificate or grant refused is the operators' to fix
 * (502 PROVIDER_ACCESS_REFUSED); anything else is worth a retry (503 with Retry-After).
 */
export function statusUnavailableProblem(error: BtrustError): ApiProblem {
  if (error.answerClass === 'CONFIGURATION_FAULT') return notStartedProblem(error);
  return new ApiProblem(
    HttpStatus.SERVICE_UNAVAILABLE,
    'IDENTIFICATION_STATUS_UNAVAILABLE',
    'Could not confirm the identification',
    STATUS_UNAVAILABLE_DETAIL,
    { providerCode: error.providerCode ?? null },
    { 'retry-after': '30' },
  );
}

/** Swagger's examples of the gate's refusals. */
export const SIGNING_GATE_EXAMPLES: Readonly<Record<string, ProblemExample>> = {
  IDENTIFICATION_DENIED: {
    type: `${PROBLEM_TYPE_BASE}IDENTIFICATION_DENIED`,
    title: 'Identification denied',
    status: 409,
    code: 'IDENTIFICATION_DENIED',
    detail: IDENTIFICATION_DENIED_DETAIL,
  },
  IDENTIFICATION_STATUS_UNAVAILABLE: {
    type: `${PROBLEM_TYPE_BASE}IDENTIFICATION_STATUS_UNAVAILABLE`,
    title: 'Could not confirm the identification',
    status: 503,
    code: 'IDENTIFICATION_STATUS_UNAVAILABLE',
    detail: STATUS_UNAVAILABLE_DETAIL,
    providerCode: null,
  },
};
