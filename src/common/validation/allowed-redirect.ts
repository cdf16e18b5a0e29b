import { AsyncLocalStorage } from 'node:async_hooks';
import { applyDecorators } from '@nestjs/common';
import {
  IsString,
  MaxLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { NoControlCharacters } from './decorators';
import { isAllowedRedirectUrl, MAX_REDIRECT_URL_LENGTH, REDIRECT_ORIGINS_VARIABLE } from './redirect-urls';
import { isSingleLineText } from './text';

/** The code a VALIDATION_FAILED problem lists for a return URL off the allow-list: part of the API. */
export const REDIRECT_NOT_ALLOWED = 'REDIRECT_NOT_ALLOWED';

/** The allow-list of the application whose request is being validated. */
const allowedOrigins = new AsyncLocalStorage<readonly string[]>();

/**
 * Runs `validate` with the redirect rule checking against these origins.
 * DTO classes are declared before any configuration is read, so the rule
 * cannot take the origins as an argument, and class-validator's container is
 * one per process, while two applications in one process (the tests) may
 * allow different origins: each validation carries its application's own.
 */
export function checkingRedirectsAgainst<T>(origins: readonly string[], validate: () => T): T {
  return allowedOrigins.run(origins, validate);
}

@ValidatorConstraint({ name: REDIRECT_NOT_ALLOWED })
class AllowedRedirectConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    // Reported once: a value that is no single-line string within the length breaks the field's other rules.
    if (typeof value !== 'string' || value.length > MAX_REDIRECT_URL_LENGTH || !isSingleLineText(value)) return true;
    return isAllowedRedirectUrl(value, origins());
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an absolute URL on one of the allowed origins (${origins().join(', ')}); they are set by ${REDIRECT_ORIGINS_VARIABLE}`;
  }
}

function origins(): readonly string[] {
  const store = allowedOrigins.getStore();
  // A wiring mistake: fail loudly rather than refuse or allow everything.
  if (!store) throw new Error('A redirect URL was validated outside checkingRedirectsAgainst');
  return store;
}

/**
 * A URL the person's browser is sent to after a flow: a single-line string
 * of at most MAX_REDIRECT_URL_LENGTH characters on one of the allowed
 * origins (see isAllowedRedirectUrl), its breaches listed with every other
 * field's.
 */
export function IsAllowedRedirect(): PropertyDecorator {
  // In the order the decorators were stacked on each field before (the last applied first), so `codes` keep their order.
  return applyDecorators(Validate(AllowedRedirectConstraint), NoControlCharacters(), MaxLength(MAX_REDIRECT_URL_LENGTH), IsString());
}
