import { isValidLnc, parseEgn } from '../../common/validation/bulgarian-identifiers';
import { EARLIEST_BIRTH_DATE, isIsoDate, isPlausibleBirthDate } from '../../common/validation/calendar';
import { isE164Phone, isEmailAddress } from '../../common/validation/contact';
import { CrossFieldBreach, SatisfiesCrossFieldRules } from '../../common/validation/decorators';
import type { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';

/** Every code the rules below can give, with its message: the codes are part of the API. */
export const MOBILE_IDENTITY_MESSAGES = {
  EGN_FORMAT: 'identifier must be an EGN of 10 digits',
  EGN_DATE: 'identifier does not encode a real date of birth',
  EGN_DATE_OUT_OF_RANGE: `identifier encodes a date of birth before ${EARLIEST_BIRTH_DATE} or after today`,
  EGN_CHECKSUM: 'identifier has a wrong EGN check digit',
  EGN_DATE_OF_BIRTH_MISMATCH: 'dateOfBirth does not match the date encoded in the EGN',
  LNC_INVALID: 'identifier must be an LNC of 10 digits with a valid check digit',
  EMAIL_INVALID: 'identifier must be an e-mail address',
  PHONE_INVALID: 'identifier must be an E.164 phone number like +359888123456',
} as const;

export type MobileIdentityRule = keyof typeof MOBILE_IDENTITY_MESSAGES;

type IdentityFields = Pick<CreateMobileIdentificationDto, 'docType' | 'identifier' | 'dateOfBirth'>;

/**
 * Rules that span fields of a mobile identification request. An
 * identification is paid, so a request that would certainly fail at B-Trust
 * is refused before any call. A field of the wrong type or format breaks
 * nothing here: its own rule reports it.
 *
 * An LNC, unlike an EGN, encodes no date of birth, so for an LNC only the
 * date's own range (IsPlausibleBirthDate) applies.
 */
export function mobileIdentityBreaches(request: IdentityFields, now: Date = new Date()): Array<CrossFieldBreach<MobileIdentityRule>> {
  const { identifier, dateOfBirth } = request;
  if (typeof identifier !== 'string') return [];
  const breach = (field: string, code: MobileIdentityRule) => [{ field, code }];

  switch (request.docType) {
    case 'EGN': {
      const egn = parseEgn(identifier);
      if (!egn.ok) return breach('identifier', `EGN_${egn.reason}`);
      if (!isPlausibleBirthDate(egn.birthDate, now)) return breach('identifier', 'EGN_DATE_OUT_OF_RANGE');
      if (typeof dateOfBirth === 'string' && isIsoDate(dateOfBirth) && dateOfBirth !== egn.birthDate) {
        return breach('dateOfBirth', 'EGN_DATE_OF_BIRTH_MISMATCH');
      }
      return [];
    }
    case 'LNC':
      return isValidLnc(identifier) ? [] : breach('identifier', 'LNC_INVALID');
    case 'EMAIL':
      return isEmailAddress(identifier) ? [] : breach('identifier', 'EMAIL_INVALID');
    case 'PHONE':
      return isE164Phone(identifier) ? [] : breach('identifier', 'PHONE_INVALID');
    default:
      return [];
  }
}

/** Put on each field the rules report on (`identifier`, `dateOfBirth`). */
export function SatisfiesMobileIdentityRules(): PropertyDecorator {
  return SatisfiesCrossFieldRules((request: IdentityFields) => mobileIdentityBreaches(request), MOBILE_IDENTITY_MESSAGES);
}
