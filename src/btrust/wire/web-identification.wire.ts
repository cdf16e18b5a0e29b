/** Web video identification (scenario 2): the web session, its status and its result. */
import type {
  WebIdentificationResult,
  WebIdentificationStartRequest,
  WebIdentificationStarted,
  WebIdentificationStatus,
} from '../btrust.types';
import { payloadFields, type ProviderAnswer } from './provider-answer';
import { requireText } from './request-checks';
import { DEFAULT_WIRE_SETTINGS, type WireSettings } from './wire-settings';

export interface WebSessionStartRequestWire {
  requestCallbackUrl: string;
  identificationReason: string;
}

export interface WebSessionStartedWire {
  webSessionId?: unknown;
  resultId?: unknown;
  webSessionExpireDate?: unknown;
}

export interface WebIdentificationResultWire {
  eIDDocAsBase64?: unknown;
  clientIdentificator?: unknown;
  signSessionId?: unknown;
  signSessionIdExpireDate?: unknown;
}

export interface WebIdentificationStatusWire {
  status?: unknown;
  step?: unknown;
}

export function toWebSessionStartRequestWire(request: WebIdentificationStartRequest): WebSessionStartRequestWire {
  const operation = 'startWebIdentification';
  return {
    requestCallbackUrl: requireText(operation, 'callbackUrl', request.callbackUrl),
    identificationReason: requireText(operation, 'reason', request.reason),
  };
}

export function toWebIdentificationStarted(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationStarted {
  const data = payloadFields<WebSessionStartedWire>(answer, settings);
  return {
    webSessionId: data.requiredId('webSessionId'),
    resultId: data.requiredId('resultId'),
    expiresAt: data.date('webSessionExpireDate'),
  };
}

/**
 * Reading: `eIDDocAsBase64` is absent with onlyMetadata=true, and an absent one becomes null
 * rather than a failure (the caller knows whether it asked for it); a present one must be a
 * valid base64 PDF. The identificator and the sign session are what the flow continues with.
 */
export function toWebIdentificationResult(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationResult {
  const data = payloadFields<WebIdentificationResultWire>(answer, settings);
  return {
    eidCertificatePdf: data.optionalPdf('eIDDocAsBase64'),
    clientIdentificator: data.requiredId('clientIdentificator'),
    signSessionId: data.requiredId('signSessionId'),
    signSessionExpiresAt: data.date('signSessionIdExpireDate'),
  };
}

export function toWebIdentificationStatus(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationStatus {
  const data = payloadFields<WebIdentificationStatusWire>(answer, settings);
  return { status: data.requiredString('status'), step: data.optionalString('step') };
}
