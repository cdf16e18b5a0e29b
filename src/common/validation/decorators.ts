import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';
import { isIsoDate } from './calendar';
import { isE164Phone, isEmailAddress } from './contact';
import { isSafeFileName, MAX_FILE_NAME_LENGTH } from './file-names';

/*
 * The constraint names below are part of the API: they are the `codes` a
 * VALIDATION_FAILED problem lists for a field, so they must stay stable and
 * must not collide with class-validator's own (`isEmail`, `isISO8601`, ...).
 */
export const IS_E164_PHONE = 'isE164Phone';
export const IS_EMAIL_ADDRESS = 'isEmailAddress';
export const IS_ISO_DATE = 'isIsoDate';
export const IS_SAFE_FILE_NAME = 'isSafeFileName';

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

export function IsSafeFileName(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringRule(
    IS_SAFE_FILE_NAME,
    isSafeFileName,
    `$property must be a file name of 1 to ${MAX_FILE_NAME_LENGTH} characters without path separators, "..", ` +
      'control characters or a leading dot',
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
