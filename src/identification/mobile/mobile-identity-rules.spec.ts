import { mobileIdentityProblems } from './mobile-identity-rules';
import type { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';

const base: CreateMobileIdentificationDto = {
  docType: 'EGN',
  identifier: '7805166742',
  dateOfBirth: '1978-05-16',
  reason: 'test',
};

const codesOf = (request: Partial<CreateMobileIdentificationDto>) =>
  mobileIdentityProblems({ ...base, ...request }).map((problem) => `${problem.field}:${problem.codes[0]}`);

describe(mobileIdentityProblems.name, () => {
  it('accepts a valid EGN whose date matches dateOfBirth', () => {
    expect(codesOf({})).toEqual([]);
  });

  it('refuses a wrong check digit, a date that does not exist and a non-numeric EGN', () => {
    expect(codesOf({ identifier: '7805166743' })).toEqual(['identifier:EGN_CHECKSUM']);
    expect(codesOf({ identifier: '7813326742' })).toEqual(['identifier:EGN_DATE']);
    expect(codesOf({ identifier: '78051667ab' })).toEqual(['identifier:EGN_FORMAT']);
  });

  it('refuses an EGN that disagrees with dateOfBirth', () => {
    expect(codesOf({ dateOfBirth: '1978-05-17' })).toEqual(['dateOfBirth:EGN_DATE_OF_BIRTH_MISMATCH']);
  });

  it('checks the identifier against the declared document type', () => {
    expect(codesOf({ docType: 'EMAIL', identifier: 'not-an-email' })).toEqual(['identifier:EMAIL_INVALID']);
    expect(codesOf({ docType: 'EMAIL', identifier: 'person@example.com' })).toEqual([]);
    expect(codesOf({ docType: 'PHONE', identifier: '0888123456' })).toEqual(['identifier:PHONE_INVALID']);
    expect(codesOf({ docType: 'PHONE', identifier: '+359888123456' })).toEqual([]);
    expect(codesOf({ docType: 'LNC', identifier: '1234567890' })).toEqual(['identifier:LNC_INVALID']);
  });
});
