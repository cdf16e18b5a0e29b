import type { BtrustError } from '../../btrust/btrust.errors';
import { notStarted, ProviderError } from '../../btrust/provider-failure';
import type { ProblemExample } from '../../common/http/api-problem-responses.decorator';
import { problemHead } from '../../common/problem/problem-catalogue';
import type { WebIdentification } from './web-identification.entity';
import { WebIdentificationError, WebIdentificationErrorCode } from './web-identification.errors';

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
    throw new WebIdentificationError(WebIdentificationErrorCode.IDENTIFICATION_DENIED, IDENTIFICATION_DENIED_DETAIL);
  }
  if (identification.status !== 'IDENTIFIED' || !identification.signSessionId || !identification.clientIdentificator) {
    throw new WebIdentificationError(
      WebIdentificationErrorCode.NOT_IDENTIFIED,
      `The identification is ${identification.status}; documents can be signed only once it is IDENTIFIED.`,
    );
  }
  if (identification.signSessionExpiresAt !== null && identification.signSessionExpiresAt.getTime() <= Date.now()) {
    throw new WebIdentificationError(
      WebIdentificationErrorCode.SIGN_SESSION_EXPIRED,
      'The sign session of this identification has expired; identify the person again to sign.',
    );
  }
}

const STATUS_RETRY_AFTER_SECONDS = 30;

const STATUS_UNAVAILABLE_DETAIL =
  'B-Trust could not be asked whether this identification is still approved, so nothing was sent for signing. Try again later.';

/**
 * B-Trust could not be asked whether an identification is still approved before a signing:
 * nothing was sent for signing. Our own certificate or grant refused is the operators' to fix
 * (502 PROVIDER_ACCESS_REFUSED); anything else is worth a retry (503 with Retry-After).
 */
export function identificationStatusUnavailable(error: BtrustError): WebIdentificationError | ProviderError {
  if (error.answerClass === 'CONFIGURATION_FAULT') return notStarted(error);
  return new WebIdentificationError(
    WebIdentificationErrorCode.IDENTIFICATION_STATUS_UNAVAILABLE,
    STATUS_UNAVAILABLE_DETAIL,
    { providerCode: error.providerCode ?? null },
    STATUS_RETRY_AFTER_SECONDS,
  );
}

/** Swagger's examples of the gate's refusals. */
export const SIGNING_GATE_EXAMPLES: Readonly<Record<string, ProblemExample>> = {
  IDENTIFICATION_DENIED: {
    ...problemHead(WebIdentificationErrorCode.IDENTIFICATION_DENIED),
    detail: IDENTIFICATION_DENIED_DETAIL,
  },
  IDENTIFICATION_STATUS_UNAVAILABLE: {
    ...problemHead(WebIdentificationErrorCode.IDENTIFICATION_STATUS_UNAVAILABLE),
    detail: STATUS_UNAVAILABLE_DETAIL,
    providerCode: null,
  },
};
