import { FeatureError } from '../common/problem/feature-error';
import { BtrustError } from './btrust.errors';

/** What a failed call to B-Trust means for the request that needed it. */
export enum ProviderErrorCode {
  /** B-Trust refused the request: do not repeat it as is. */
  PROVIDER_REJECTED = 'PROVIDER_REJECTED',
  /** B-Trust refused this server's certificate or grant: operators must act. */
  PROVIDER_ACCESS_REFUSED = 'PROVIDER_ACCESS_REFUSED',
  /** A paid request B-Trust may or may not have started: never repeat it blindly. */
  PROVIDER_OUTCOME_UNKNOWN = 'PROVIDER_OUTCOME_UNKNOWN',
  /** An operator's resolve of a record whose outcome is already known. */
  NOT_OUTCOME_UNKNOWN = 'NOT_OUTCOME_UNKNOWN',
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  UPSTREAM_ERROR = 'UPSTREAM_ERROR',
  CIRCUIT_OPEN = 'CIRCUIT_OPEN',
}

export class ProviderError extends FeatureError<ProviderErrorCode> {}

const TRY_AGAIN_SECONDS = 30;

/**
 * A request B-Trust did not start, by what the failure means: a refusal (DEFINITIVE), B-Trust
 * refusing our own access (CONFIGURATION_FAULT), or a request that never left (safe to send
 * again). An unknown outcome is `outcomeUnknown`.
 */
export function notStarted(error: BtrustError): ProviderError {
  switch (error.answerClass) {
    case 'DEFINITIVE':
      return rejected(error);
    case 'CONFIGURATION_FAULT':
      return new ProviderError(
        ProviderErrorCode.PROVIDER_ACCESS_REFUSED,
        "B-Trust refused this server's client certificate or its access to this operation. Nothing was started; the operators must fix the configuration.",
        providerCodeOf(error),
      );
    default:
      return error.code === 'CIRCUIT_OPEN'
        ? providerFailure(error)
        : new ProviderError(
            ProviderErrorCode.UPSTREAM_UNAVAILABLE,
            'B-Trust could not be reached and nothing was sent. Try again later.',
            providerCodeOf(error),
            TRY_AGAIN_SECONDS,
          );
  }
}

/** A paid POST that B-Trust may or may not have acted on: the frontend must not simply retry it. */
export function outcomeUnknown(id: string): ProviderError {
  return new ProviderError(
    ProviderErrorCode.PROVIDER_OUTCOME_UNKNOWN,
    'B-Trust may or may not have started this request. Do not send it again: the record is kept as OUTCOME_UNKNOWN for an operator to resolve.',
    { id },
  );
}

/** An operator's resolve of a record that is not OUTCOME_UNKNOWN. */
export function notOutcomeUnknown(what: string, status: string): ProviderError {
  return new ProviderError(
    ProviderErrorCode.NOT_OUTCOME_UNKNOWN,
    `Only an OUTCOME_UNKNOWN ${what} can be resolved; this one is ${status}.`,
    { currentStatus: status },
  );
}

/**
 * Any other failed call (reads, refreshes). The provider's own message is localized and safe to
 * show; our internals are not added.
 */
export function providerFailure(error: BtrustError): ProviderError {
  switch (error.code) {
    case 'TIMEOUT':
      return new ProviderError(ProviderErrorCode.UPSTREAM_TIMEOUT, 'Try again later.', providerCodeOf(error));
    case 'UNAVAILABLE':
      return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, 'Try again later.', providerCodeOf(error), TRY_AGAIN_SECONDS);
    case 'CIRCUIT_OPEN':
      return new ProviderError(
        ProviderErrorCode.CIRCUIT_OPEN,
        'Several recent calls to B-Trust failed, so new ones are not sent for a while. Try again later.',
        providerCodeOf(error),
        TRY_AGAIN_SECONDS,
      );
    case 'BAD_REQUEST':
    case 'REJECTED':
    case 'NOT_FOUND':
      return rejected(error);
    default:
      return upstreamError(error);
  }
}

/** B-Trust answered with an error, or with nothing usable. */
export function upstreamError(error: BtrustError): ProviderError {
  return new ProviderError(ProviderErrorCode.UPSTREAM_ERROR, 'Try again later.', providerCodeOf(error));
}

function rejected(error: BtrustError): ProviderError {
  return new ProviderError(ProviderErrorCode.PROVIDER_REJECTED, error.providerMessage ?? 'The request is rejected.', providerCodeOf(error));
}

function providerCodeOf(error: BtrustError): { providerCode: string | null } {
  return { providerCode: error.providerCode ?? null };
}
