import { applyDecorators } from '@nestjs/common';
import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';
import { EARLIEST_BIRTH_DATE, isIsoDate, isPlausibleBirthDate } from './calendar';
import { isE164Phone, isEmailAddress } from './contact';
import { isSafeFileName, MAX_FILE_NAME_LENGTH } from './file-names';
import { isSingleLineText } from './text';

/*
 * The constraint names below are part of the API: they are the `codes` a
 * VALIDATION_FAILED problem lists for a field, so they must stay stable and
 * must not collide with class-validator's own (`isEmail`, `isISO8601`, ...).
 */
export const IS_E164_PHONE = 'isE164Phone';
export const IS_EMAIL_ADDRESS = 'isEmailAddress';
export const IS_ISO_DATE = 'isIsoDate';
export const IS_PLAUSIBLE_BIRTH_DATE = 'isPlausibleBirthDate';
export const IS_SAFE_FILE_NAME = 'isSafeFileName';
export const NO_CONTROL_CHARACTERS = 'noControlCharacters';

export function IsE164Phone(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(
    IS_E164_PHONE,
    isE164Phone,
    '$property must be a phone number in E.164 format, e.g. +359888123456',
    validationOptions,
  );
}

export function IsEmailAddress(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(IS_EMAIL_ADDRESS, isEmailAddress, '$property must be an e-mail address', validationOptions);
}

export function IsIsoDate(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(IS_ISO_DATE, isIsoDate, '$property must be a calendar date written YYYY-MM-DD', validationOptions);
}

/**
 * A date of birth from 1900-01-01 to today. Only checked on a `YYYY-MM-DD`
 * date, so that a malformed one is reported once, by {@link IsIsoDate}.
 */
export function IsPlausibleBirthDate(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(
    IS_PLAUSIBLE_BIRTH_DATE,
    (value) => !isIsoDate(value) || isPlausibleBirthDate(value),
    `$property must be a date of birth from ${EARLIEST_BIRTH_DATE} to today`,
    validationOptions,
  );
}

export function IsSafeFileName(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(
    IS_SAFE_FILE_NAME,
    isSafeFileName,
    `$property must be a file name of 1 to ${MAX_FILE_NAME_LENGTH} characters without path separators, "..", ` +
      'control characters or a leading dot',
    validationOptions,
  );
}

/**
 * No control character (NUL, tab and line breaks included) in a text field:
 * see isSingleLineText. Every text field of a request carries it. A value
 * that is no string passes, so that its type is reported once, by IsString
 * or the field's own format rule.
 */
export function NoControlCharacters(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: NO_CONTROL_CHARACTERS,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isSingleLineText(value),
        defaultMessage: buildMessage(
          (eachPrefix) => eachPrefix + '$property must not contain control characters (tab and line breaks included)',
          validationOptions,
        ),
      },
    },
    validationOptions,
  );
}

function stringRule(
  name: string,
  test: (value: string) => boolean,
  message: string,
  validationOptions: ValidationOptions | undefined,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && test(value),
        defaultMessage: buildMessage((eachPrefix) => eachPrefix + message, validationOptions),
      },
    },
    validationOptions,
  );
}

/** A rule across fields that one field breaks, e.g. `{ field: 'identifier', code: 'EGN_CHECKSUM' }`. */
export interface CrossFieldBreach<Code extends string> {
  field: string;
  code: Code;
}

/**
 * Rules that span the fields of a request, written once as a function of the
 * whole object, reported in the same answer as every other field's errors
 * (not only once those are fixed), under the field they concern and with
 * their own stable codes. `messages` names every code the rules can give:
 * each becomes a constraint of the decorated property, so put the decorator
 * on each field the rules report on.
 */
export function SatisfiesCrossFieldRules<T extends object, Code extends string>(
  breaches: (object: T) => ReadonlyArray<CrossFieldBreach<Code>>,
  messages: Readonly<Record<Code, string>>,
): PropertyDecorator {
  return applyDecorators(
    ...(Object.keys(messages) as Code[]).map((code) =>
      ValidateBy({
        name: code,
        validator: {
          validate: (_value, args) =>
            args === undefined || !breaches(args.object as T).some((breach) => breach.field === args.property && breach.code === code),
          defaultMessage: () => messages[code],
        },
      }),
    ),
  );
}
