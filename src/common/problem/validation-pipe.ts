import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { checkingRedirectsAgainst } from '../validation/allowed-redirect';
import type { FieldProblem } from './problem';
import { RequestError } from './request-error';

/** The code of a field that is missing (or null): class-validator's name for the rule. */
export const REQUIRED = 'isDefined';

/** class-validator's constraint for a field the DTO does not declare (with `forbidNonWhitelisted`). */
const NOT_ACCEPTED = 'whitelistValidation';

/**
 * The global pipe: unknown fields are refused, every invalid field is
 * listed with the names of the rules it broke, and return URLs are checked
 * against this application's `allowedRedirectOrigins`.
 */
export function createValidationPipe(allowedRedirectOrigins: readonly string[]): ValidationPipe {
  return new RequestValidationPipe(allowedRedirectOrigins);
}

class RequestValidationPipe extends ValidationPipe {
  constructor(private readonly allowedRedirectOrigins: readonly string[]) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => RequestError.invalid(flattenValidationErrors(errors)),
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return checkingRedirectsAgainst(this.allowedRedirectOrigins, () => super.transform(value, metadata));
  }
}

/**
 * Every rule a field breaks, except for a missing field: it breaks all of
 * them ("must be a string", "must be longer than…"), and the one thing to
 * say is that it is required.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldProblem[] = error.constraints ? [fieldProblem(field, error.value, error.constraints)] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function fieldProblem(field: string, value: unknown, constraints: Record<string, string>): FieldProblem {
  if (NOT_ACCEPTED in constraints) return { field, codes: [NOT_ACCEPTED], messages: [`${field} is not an accepted field`] };
  if (value === undefined || value === null) return { field, codes: [REQUIRED], messages: [`${field} is required`] };
  return { field, codes: Object.keys(constraints), messages: Object.values(constraints) };
}
