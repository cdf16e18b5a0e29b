import { applyDecorators } from '@nestjs/common';
import {
  IsString,
  MaxLength,
  useContainer,
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

/**
 * The allow-list rule of a return URL, built once from configuration
 * (ALLOWED_REDIRECT_ORIGINS) and handed to class-validator by
 * {@link checkRedirectsAgainst}: DTO classes are declared before any
 * configuration is read, so the rule cannot take the origins as an argument.
 */
@ValidatorConstraint({ name: REDIRECT_NOT_ALLOWED })
export class AllowedRedirectConstraint implements ValidatorConstraintInterface {
  constructor(private readonly allowedOrigins?: readonly string[]) {}

  validate(value: unknown): boolean {
    // Reported once: a value that is no single-line string within the length breaks the field's other rules.
    if (typeof value !== 'string' || value.length > MAX_REDIRECT_URL_LENGTH || !isSingleLineText(value)) return true;
    return isAllowedRedirectUrl(value, this.origins());
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an absolute URL on one of the allowed origins (${this.origins().join(', ')}); they are set by ${REDIRECT_ORIGINS_VARIABLE}`;
  }

  private origins(): readonly string[] {
    // class-validator's own container builds the rule without origins: fail loudly rather than refuse or allow everything.
    if (!this.allowedOrigins) throw new Error('The redirect allow-list was not configured: call checkRedirectsAgainst at start-up');
    return this.allowedOrigins;
  }
}

/**
 * Gives class-validator the redirect rule for these origins. class-validator
 * keeps one container per process, so the last application started in a
 * process sets the allow-list of all (one per process in production; the
 * tests start theirs one after the other). Every other rule keeps
 * class-validator's own container.
 */
export function checkRedirectsAgainst(allowedOrigins: readonly string[]): void {
  const constraint = new AllowedRedirectConstraint(allowedOrigins);
  useContainer({ get: (type: unknown) => (type === AllowedRedirectConstraint ? constraint : undefined) }, { fallback: true });
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
