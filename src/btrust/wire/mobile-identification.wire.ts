/** B-Trust MOBILE identification (scenario 1): 1.1 identification and 1.2 its result. */
import type {
  MobileIdentificationAccepted,
  MobileIdentificationProgress,
  MobileIdentificationRequest,
  MobileIdentificationResult,
} from '../btrust.types';
import { AnswerFields, bodyObject, payloadFields, type EnvelopeWire, type ProviderAnswer } from './provider-answer';
import { invalidRequest, requireText } from './request-checks';
import { isRecord, readWireString, toWireDateOfBirth } from './wire-values';
import { DEFAULT_WIRE_SETTINGS, type WireSettings } from './wire-settings';

export interface PersonIdentityDataWire {
  docType: string;
  /** Reading: the seed prints a bare number; a string keeps the leading 0 of EGNs born 2000–2009. */
  identificatorValue: string;
  /** dd-MM-yyyy */
  dateOfBirth?: string;
}

export interface IdentificationRequestWire {
  personIdentityData: PersonIdentityDataWire;
  phoneNumber?: string;
  email?: string;
  payer: string;
  identificationReason: string;
}

export interface IdentificationAcceptedWire {
  callbackId?: unknown;
  validity?: unknown;
}

export interface IdentificationResultDataWire {
  content?: unknown;
  identification_before?: unknown;
  identification_reason?: unknown;
  identificator?: unknown;
  /** Accepted twins of the document's snake_case names. */
  identificationBefore?: unknown;
  identificationReason?: unknown;
}

/**
 * Reading: `payer` defaults to RELYING_PARTY, the only value the document shows. Optional
 * onboarding fields are left out rather than sent empty.
 */
export function toIdentificationRequestWire(request: MobileIdentificationRequest): IdentificationRequestWire {
  const operation = 'identification';
  const personIdentityData: PersonIdentityDataWire = {
    docType: request.docType,
    identificatorValue: requireText(operation, 'identifier', request.identifier),
  };
  if (request.dateOfBirth !== undefined) {
    const dateOfBirth = toWireDateOfBirth(request.dateOfBirth);
    if (dateOfBirth === null) {
      throw invalidRequest(operation, 'dateOfBirth must be a calendar date written YYYY-MM-DD');
    }
    personIdentityData.dateOfBirth = dateOfBirth;
  }
  const wire: IdentificationRequestWire = {
    personIdentityData,
    payer: request.payer ?? 'RELYING_PARTY',
    identificationReason: requireText(operation, 'reason', request.reason),
  };
  if (request.phoneNumber !== undefined) {
    wire.phoneNumber = request.phoneNumber;
  }
  if (request.email !== undefined) {
    wire.email = request.email;
  }
  return wire;
}

export function toMobileIdentificationAccepted(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): MobileIdentificationAccepted {
  const data = payloadFields<IdentificationAcceptedWire>(answer, settings);
  return { callbackId: data.requiredId('callbackId'), validUntil: data.date('validity') };
}

const FINISHED_STATUS = 'FINISHED';

/** Reading: the two progress values 1.2 names; any other value says nothing about the progress. */
const MOBILE_PROGRESS: ReadonlyMap<string, MobileIdentificationProgress> = new Map([
  ['ON_BOARDING', 'ENROLLING'],
  ['IN_PROGRESS', 'IDENTIFYING'],
]);

function pendingMobileIdentification(providerStatus: string | null): MobileIdentificationResult {
  return { state: 'PENDING', providerStatus, progress: providerStatus === null ? null : (MOBILE_PROGRESS.get(providerStatus) ?? null) };
}

/**
 * Reading: a 206 answer means "not finished" whatever else it says, and carries no `data`.
 * A 200 whose `status` is present and not FINISHED is still pending. Any other 200 is finished:
 * with its `content` (which must then be a PDF, with the `identificator`), or without it, as a
 * finished identification whose certificate is missing, so that the caller asks again rather
 * than calling it complete. The snake_case names are the document's; camelCase twins are
 * accepted too.
 */
export function toMobileIdentificationResult(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): MobileIdentificationResult {
  const body: EnvelopeWire = bodyObject(answer);
  const providerStatus = readWireString(body.status);
  if (answer.httpStatus === 206) {
    return pendingMobileIdentification(providerStatus);
  }
  if (providerStatus !== null && providerStatus !== FINISHED_STATUS && !(isRecord(body.data) && body.data.content != null)) {
    return pendingMobileIdentification(providerStatus);
  }
  const data = new AnswerFields<IdentificationResultDataWire>(answer, isRecord(body.data) ? body.data : {}, 'data.', settings);
  const certificatePdf = data.optionalPdf('content');
  return {
    state: 'DONE',
    providerStatus: FINISHED_STATUS,
    certificatePdf,
    identificationBefore: data.optionalString('identification_before', 'identificationBefore'),
    identificationReason: data.optionalString('identification_reason', 'identificationReason'),
    identificator: certificatePdf === null ? data.optionalId('identificator') : data.requiredId('identificator'),
  };
}
