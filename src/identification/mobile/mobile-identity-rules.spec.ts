import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../common/problem/validation-pipe';
import { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';
import { mobileIdentityBreaches } from './mobile-identity-rules';

const base = {
  docType: 'EGN' as const,
  identifier: '7805166742',
  dateOfBirth: '1978-05-16',
};
const NOW = new Date('2026-05-16T08:00:00Z');

const codesOf = (request: Partial<CreateMobileIdentificationDto>) =>
  mobileIdentityBreaches({ ...base, ...request }, NOW).map((breach) => `${breach.field}:${breach.code}`);

describe(mobileIdentityBreaches.name, () => {
  it('accepts a valid EGN whose date matches dateOfBirth', () => {
    expect(codesOf({})).toEqual([]);
  });

  it('refuses a wrong check digit, a date that does not exist and a non-numeric EGN', () => {
    expect(codesOf({ identifier: '7805166743' })).toEqual(['identifier:EGN_CHECKSUM']);
    expect(codesOf({ identifier: '7813326742' })).toEqual(['identifier:EGN_DATE']);
    expect(codesOf({ identifier: '78051667ab' })).toEqual(['identifier:EGN_FORMAT']);
  });

  it('refuses an EGN that encodes a date of birth before 1900 or after today', () => {
    // 1850-01-01 (month + 20) and 2050-01-01 (month + 40), both with valid check digits.
    expect(codesOf({ identifier: '5021010007', dateOfBirth: '1850-01-01' })).toEqual(['identifier:EGN_DATE_OUT_OF_RANGE']);
    expect(codesOf({ identifier: '5041010001', dateOfBirth: '2050-01-01' })).toEqual(['identifier:EGN_DATE_OUT_OF_RANGE']);
    // The last days in range: 1900-01-01 and today.
    expect(codesOf({ identifier: '0001010003', dateOfBirth: '1900-01-01' })).toEqual([]);
    expect(codesOf({ identifier: '2645160006', dateOfBirth: '2026-05-16' })).toEqual([]);
  });

  it('refuses an EGN that disagrees with dateOfBirth', () => {
    expect(codesOf({ dateOfBirth: '1978-05-17' })).toEqual(['dateOfBirth:EGN_DATE_OF_BIRTH_MISMATCH']);
  });

  it('leaves a malformed or missing field to its own rule', () => {
    expect(codesOf({ dateOfBirth: '16-05-1978' })).toEqual([]);
    expect(codesOf({ dateOfBirth: undefined })).toEqual([]);
    expect(codesOf({ identifier: undefined })).toEqual([]);
    expect(codesOf({ identifier: 7805166742 as unknown as string })).toEqual([]);
    expect(codesOf({ docType: 'PASSPORT' as 'EGN' })).toEqual([]);
  });

  it('checks the identifier against the declared document type', () => {
    expect(codesOf({ docType: 'EMAIL', identifier: 'not-an-email' })).toEqual(['identifier:EMAIL_INVALID']);
    expect(codesOf({ docType: 'EMAIL', identifier: 'person@example.com' })).toEqual([]);
    expect(codesOf({ docType: 'PHONE', identifier: '0888123456' })).toEqual(['identifier:PHONE_INVALID']);
    expect(codesOf({ docType: 'PHONE', identifier: '+359888123456' })).toEqual([]);
    expect(codesOf({ docType: 'LNC', identifier: '1234567890' })).toEqual(['identifier:LNC_INVALID']);
  });
});

describe(CreateMobileIdentificationDto.name, () => {
  const problemsOf = async (body: object) => {
    const errors = await validate(plainToInstance(CreateMobileIdentificationDto, body), { whitelist: true, forbidNonWhitelisted: true });
    return Object.fromEntries(flattenValidationErrors(errors).map((problem) => [problem.field, problem.codes]));
  };

  it('reports the EGN rules together with every other field\'s errors', async () => {
    expect(await problemsOf({ docType: 'EGN', identifier: '7805166743', dateOfBirth: '1978-05-16', email: 'x@' })).toEqual({
      identifier: ['EGN_CHECKSUM'],
      email: ['isEmailAddress'],
      reason: ['isDefined'],
    });
  });

  it('refuses a date of birth out of range, for every document type', async () => {
    const reason = 'Opening an account';
    expect(await problemsOf({ docType: 'EMAIL', identifier: 'person@example.com', dateOfBirth: '2999-01-01', reason })).toEqual({
      dateOfBirth: ['isPlausibleBirthDate'],
    });
    expect(await problemsOf({ docType: 'LNC', identifier: '1000000012', dateOfBirth: '1800-01-01', reason })).toEqual({
      dateOfBirth: ['isPlausibleBirthDate'],
    });
    expect(await problemsOf({ docType: 'EGN', identifier: '5021010007', dateOfBirth: '1850-01-01', reason })).toEqual({
      identifier: ['EGN_DATE_OUT_OF_RANGE'],
      dateOfBirth: ['isPlausibleBirthDate'],
    });
  });
});
