/** Registration for a one-time certificate: creating one and asking its status. */
import type { Registration, RegistrationRequest, RegistrationStatus } from '../btrust.types';
import { payloadFields, type ProviderAnswer } from './provider-answer';
import { requireText } from './request-checks';
import { DEFAULT_WIRE_SETTINGS, type WireSettings } from './wire-settings';

export interface RegistrationRequestWire {
  cancelUrl: string;
  deviceFingerprint: Record<string, unknown>;
  externalRef: string;
  successUrl: string;
  userLanguage: string;
  verifyEmailAddress: boolean;
  verifyPhoneNumber: boolean;
  showGtcGdp: boolean;
  showMainInfo: boolean;
}

/** Not enveloped. */
export interface RegistrationWire {
  sessionId?: unknown;
  registrationId?: unknown;
  createdOn?: unknown;
  expiredOn?: unknown;
  serviceName?: unknown;
  otcRequestId?: unknown;
  userLanguage?: unknown;
}

/** Not enveloped. */
export interface RegistrationStatusWire {
  createdOn?: unknown;
  processedOn?: unknown;
  registrationId?: unknown;
  reviewStatus?: unknown;
  reviewedOn?: unknown;
  status?: unknown;
  userMessageBg?: unknown;
  /** Accepted in case the provider drops the language suffix. */
  userMessage?: unknown;
}

export function toRegistrationRequestWire(request: RegistrationRequest): RegistrationRequestWire {
  const operation = 'createRegistration';
  return {
    cancelUrl: requireText(operation, 'cancelUrl', request.cancelUrl),
    deviceFingerprint: request.deviceFingerprint ?? {},
    externalRef: requireText(operation, 'externalRef', request.externalRef),
    successUrl: requireText(operation, 'successUrl', request.successUrl),
    userLanguage: request.language,
    verifyEmailAddress: request.verifyEmail,
    verifyPhoneNumber: request.verifyPhone,
    showGtcGdp: request.showGtcGdp,
    showMainInfo: request.showMainInfo,
  };
}

/** Reading: 2.2's answer has no status; scenario 4 lists STARTED first, so a registration just created is STARTED. */
const NEW_REGISTRATION_STATE = 'STARTED';

export function toRegistration(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): Registration {
  const data = payloadFields<RegistrationWire>(answer, settings);
  return {
    sessionId: data.requiredId('sessionId'),
    registrationId: data.requiredId('registrationId'),
    status: NEW_REGISTRATION_STATE,
    createdOn: data.date('createdOn'),
    expiresOn: data.date('expiredOn'),
    otcRequestId: data.optionalId('otcRequestId'),
    serviceName: data.optionalString('serviceName'),
    userLanguage: data.optionalString('userLanguage'),
  };
}

export function toRegistrationStatus(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): RegistrationStatus {
  const data = payloadFields<RegistrationStatusWire>(answer, settings);
  return {
    registrationId: data.optionalId('registrationId'),
    status: data.requiredString('status'),
    reviewStatus: data.optionalString('reviewStatus'),
    createdOn: data.date('createdOn'),
    processedOn: data.date('processedOn'),
    reviewedOn: data.date('reviewedOn'),
    userMessage: data.optionalString('userMessageBg', 'userMessage'),
  };
}
