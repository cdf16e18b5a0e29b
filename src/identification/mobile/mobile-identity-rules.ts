import { FieldProblem } from '../../common/problem/problem';
import { isValidLnc, parseEgn } from '../../common/validation/bulgarian-identifiers';
import { isE164Phone, isEmailAddress } from '../../common/validation/contact';
import type { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';

const EGN_MESSAGES = {
  FORMAT: ['EGN_FORMAT', 'identifier must be an EGN of 10 digits'],
  DATE: ['EGN_DATE', 'identifier does not encode a real date of birth'],
  CHECKSUM: ['EGN_CHECKSUM', 'identifier has a wrong EGN check digit'],
} as const;

/**
 * Rules that span fields of a mobile identification request. An
 * identification is paid, so a request that would certainly fail at B-Trust
 * is refused here, before any call.
 */
export function mobileIdentityProblems(request: CreateMobileIdentificationDto): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, code: string, message: string) => problems.push({ field, codes: [code], messages: [message] });

  switch (request.docType) {
    case 'EGN': {
      const egn = parseEgn(request.identifier);
      if (!egn.ok) {
        const [code, message] = EGN_MESSAGES[egn.reason];
        add('identifier', code, message);
      } else if (request.dateOfBirth !== egn.birthDate) {
        add('dateOfBirth', 'EGN_DATE_OF_BIRTH_MISMATCH', 'dateOfBirth does not match the date encoded in the EGN');
      }
      break;
    }
    case 'LNC':
      if (!isValidLnc(request.identifier)) add('identifier', 'LNC_INVALID', 'identifier must be an LNC of 10 digits with a valid check digit');
      break;
    case 'EMAIL':
      if (!isEmailAddress(request.identifier)) add('identifier', 'EMAIL_INVALID', 'identifier must be an e-mail address');
      break;
    case 'PHONE':
      if (!isE164Phone(request.identifier)) add('identifier', 'PHONE_INVALID', 'identifier must be an E.164 phone number like +359888123456');
      break;
  }
  return problems;
}
