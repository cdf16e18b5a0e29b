import { HttpStatus } from '@nestjs/common';
import { BtrustError } from '../../btrust/btrust.errors';
import { ApiProblem } from './problem';

/**
 * How a request that B-Trust did not start reaches the frontend, by what the failure means: a
 * refusal (DEFINITIVE: 422, do not repeat as is), B-Trust refusing our own access
 * (CONFIGURATION_FAULT: 502, operators must act), or a request that never left (TRANSIENT:
 * 503 with Retry-After, safe to send again). An unknown outcome is outcomeUnknownProblem.
 */
export function notStartedProblem(error: BtrustError): ApiProblem {
  const provider = { providerCode: error.providerCode ?? null };
  switch (error.answerClass) {
    case 'DEFINITIVE':
      return providerRejected(error);
    case 'CONFIGURATION_FAULT':
      return new ApiProblem(
        HttpStatus.BAD_GATEWAY,
        'PROVIDER_ACCESS_REFUSED',
        "B-Trust refused this server's access",
        "B-Trust refused this server's client certificate or its access to this operation. Nothing was started; the operators must fix the configuration.",
        provider,
      );
    default:
      return error.code === 'CIRCUIT_OPEN'
        ? upstreamProblem(error)
        : new ApiProblem(
            HttpStatus.SERVICE_UNAVAILABLE,
            'UPSTREAM_UNAVAILABLE',
            'B-Trust is unavailable',
            'B-Trust could not be reached and nothing was sent. Try again later.',
            provider,
            { 'retry-after': '30' },
          );
  }
}

function providerRejected(error: BtrustError): ApiProblem {
  return new ApiProblem(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'PROVIDER_REJECTED',
    'B-Trust refused the request',
    error.providerMessage ?? 'The request is rejected.',
    { providerCode: error.providerCode ?? null },
  );
}

/** 409 for an operator's resolve of a record that is not OUTCOME_UNKNOWN. */
export function notOutcomeUnknownProblem(what: string, status: string): ApiProblem {
  return new ApiProblem(
    HttpStatus.CONFLICT,
    'NOT_OUTCOME_UNKNOWN',
    'Nothing to resolve',
    `Only an OUTCOME_UNKNOWN ${what} can be resolved; this one is ${status}.`,
    { currentStatus: status },
  );
}

/**
 * How a B-Trust failure reaches the frontend. The provider's own message is
 * localized and safe to show; our internals are not added.
 */
export function upstreamProblem(error: BtrustError): ApiProblem {
  const provider = { providerCode: error.providerCode ?? null };
  switch (error.code) {
    case 'TIMEOUT':
      return new ApiProblem(HttpStatus.GATEWAY_TIMEOUT, 'UPSTREAM_TIMEOUT', 'B-Trust did not answer in time', 'Try again later.', provider);
    case 'UNAVAILABLE':
      return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, 'UPSTREAM_UNAVAILABLE', 'B-Trust is unavailable', 'Try again later.', provider, {
        'retry-after': '30',
      });
    case 'CIRCUIT_OPEN':
      return new ApiProblem(
        HttpStatus.SERVICE_UNAVAILABLE,
        'CIRCUIT_OPEN',
        'B-Trust is failing; calls are paused',
        'Several recent calls to B-Trust failed, so new ones are not sent for a while. Try again later.',
        provider,
        { 'retry-after': '30' },
      );
    case 'BAD_REQUEST':
    case 'REJECTED':
    case 'NOT_FOUND':
      return providerRejected(error);
    default:
      return upstreamErrorProblem(error);
  }
}

/** 502: B-Trust answered with an error, or with nothing usable. */
export function upstreamErrorProblem(error: BtrustError): ApiProblem {
  return new ApiProblem(HttpStatus.BAD_GATEWAY, 'UPSTREAM_ERROR', 'B-Trust answered with an error', 'Try again later.', {
    providerCode: error.providerCode ?? null,
  });
}

/** A paid POST that B-Trust may or may not have acted on: the frontend must not simply retry it. */
export function outcomeUnknownProblem(id: string): ApiProblem {
  return new ApiProblem(
    HttpStatus.BAD_GATEWAY,
    'PROVIDER_OUTCOME_UNKNOWN',
    "B-Trust's answer is unknown",
    'B-Trust may or may not have started this request. Do not send it again: the record is kept as OUTCOME_UNKNOWN for an operator to resolve.',
    { id },
  );
}
