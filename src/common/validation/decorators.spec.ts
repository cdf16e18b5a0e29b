import { validate } from 'class-validator';
import {
  IS_E164_PHONE,
  IS_EMAIL_ADDRESS,
  IS_ISO_DATE,
  IS_PLAUSIBLE_BIRTH_DATE,
  IS_SAFE_FILE_NAME,
  IsE164Phone,
  IsEmailAddress,
  IsIsoDate,
  IsPlausibleBirthDate,
  IsSafeFileName,
  SatisfiesCrossFieldRules,
} from './decorators';

class ContactDto {
  @IsE164Phone()
  phoneNumber: unknown;

  @IsEmailAddress()
  email: unknown;
}

class PersonDto {
  @IsIsoDate()
  birthDate: unknown;
}

class BirthDto {
  @IsIsoDate()
  @IsPlausibleBirthDate()
  birthDate: unknown;
}

/** A rule across two fields: `to` must not come before `from`. */
const rangeBreaches = (range: RangeDto) => (range.to < range.from ? [{ field: 'to', code: 'RANGE_REVERSED' as const }] : []);
const RANGE_MESSAGES = { RANGE_REVERSED: 'to must not come before from' };

class RangeDto {
  @IsIsoDate()
  @SatisfiesCrossFieldRules(rangeBreaches, RANGE_MESSAGES)
  from: string;

  @IsIsoDate()
  @SatisfiesCrossFieldRules(rangeBreaches, RANGE_MESSAGES)
  to: string;
}

class DocumentDto {
  @IsSafeFileName()
  fileName: unknown;
}

class DocumentListDto {
  @IsSafeFileName({ each: true })
  fileNames: unknown;
}

class CustomMessageDto {
  @IsIsoDate({ message: 'validFrom is not a date' })
  validFrom: unknown;
}

function build<T extends object>(type: new () => T, values: Record<string, unknown>): T {
  return Object.assign(new type(), values);
}

/** The constraint names of every failed field, as the API lists them. */
async function failedConstraints(dto: object): Promise<Record<string, string[]>> {
  const errors = await validate(dto);
  return Object.fromEntries(errors.map((error) => [error.property, Object.keys(error.constraints ?? {})]));
}

describe('validation decorators', () => {
  it('gives each rule its own constraint name, distinct from class-validator built-ins', () => {
    const names = [IS_E164_PHONE, IS_EMAIL_ADDRESS, IS_ISO_DATE, IS_PLAUSIBLE_BIRTH_DATE, IS_SAFE_FILE_NAME];
    expect(names).toEqual(['isE164Phone', 'isEmailAddress', 'isIsoDate', 'isPlausibleBirthDate', 'isSafeFileName']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('passes valid values', async () => {
    const contact = build(ContactDto, { phoneNumber: '+359888133443', email: 'dnikolov@borica.bg' });
    expect(await failedConstraints(contact)).toEqual({});
    expect(await failedConstraints(build(PersonDto, { birthDate: '2000-02-29' }))).toEqual({});
    expect(await failedConstraints(build(DocumentDto, { fileName: 'test.pdf' }))).toEqual({});
    expect(await failedConstraints(build(DocumentListDto, { fileNames: ['a.pdf', 'b.pdf'] }))).toEqual({});
  });

  it('reports each invalid field under its own constraint name', async () => {
    expect(await failedConstraints(build(ContactDto, { phoneNumber: '0888133443', email: 'not-an-email' }))).toEqual({
      phoneNumber: [IS_E164_PHONE],
      email: [IS_EMAIL_ADDRESS],
    });
    expect(await failedConstraints(build(PersonDto, { birthDate: '2023-02-29' }))).toEqual({
      birthDate: [IS_ISO_DATE],
    });
    expect(await failedConstraints(build(DocumentDto, { fileName: '../secret.pdf' }))).toEqual({
      fileName: [IS_SAFE_FILE_NAME],
    });
  });

  it.each([359888133443, null, undefined, ['+359888133443'], { value: '+359888133443' }])(
    'refuses the non-string %j',
    async (value) => {
      expect(await failedConstraints(build(ContactDto, { phoneNumber: value, email: value }))).toEqual({
        phoneNumber: [IS_E164_PHONE],
        email: [IS_EMAIL_ADDRESS],
      });
    },
  );

  it('refuses a Date object where a YYYY-MM-DD string is expected', async () => {
    expect(await failedConstraints(build(PersonDto, { birthDate: new Date('2000-02-29') }))).toEqual({
      birthDate: [IS_ISO_DATE],
    });
  });

  it('checks every element when asked to with { each: true }', async () => {
    expect(await failedConstraints(build(DocumentListDto, { fileNames: ['a.pdf', 'b/c.pdf'] }))).toEqual({
      fileNames: [IS_SAFE_FILE_NAME],
    });
  });

  it('names the property in its default message', async () => {
    const [error] = await validate(build(ContactDto, { phoneNumber: '+359888133443', email: 'a@b' }));
    expect(error.constraints?.[IS_EMAIL_ADDRESS]).toBe('email must be an e-mail address');
  });

  it('uses a message given in the options', async () => {
    const [error] = await validate(build(CustomMessageDto, { validFrom: 'tomorrow' }));
    expect(error.constraints).toEqual({ [IS_ISO_DATE]: 'validFrom is not a date' });
  });

  it('refuses a date of birth before 1900 or in the future, and leaves a malformed one to isIsoDate', async () => {
    expect(await failedConstraints(build(BirthDto, { birthDate: '1900-01-01' }))).toEqual({});
    expect(await failedConstraints(build(BirthDto, { birthDate: '1899-12-31' }))).toEqual({ birthDate: [IS_PLAUSIBLE_BIRTH_DATE] });
    expect(await failedConstraints(build(BirthDto, { birthDate: '2999-01-01' }))).toEqual({ birthDate: [IS_PLAUSIBLE_BIRTH_DATE] });
    expect(await failedConstraints(build(BirthDto, { birthDate: '1978-02-30' }))).toEqual({ birthDate: [IS_ISO_DATE] });
  });

  it('reports a rule across fields on the field it concerns, under its own code and message', async () => {
    expect(await failedConstraints(build(RangeDto, { from: '2026-01-02', to: '2026-01-03' }))).toEqual({});
    const errors = await validate(build(RangeDto, { from: '2026-01-02', to: '2026-01-01' }));
    expect(errors.map((error) => [error.property, error.constraints])).toEqual([['to', { RANGE_REVERSED: 'to must not come before from' }]]);
  });
});
