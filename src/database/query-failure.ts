import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';

/**
 * What PostgreSQL echoes of a failed statement's values: `detail` carries
 * "Failing row contains (...)", `where` and `internalQuery` the context of a
 * function that raised.
 */
const ECHO_FIELDS = ['detail', 'where', 'internalQuery'] as const;

/**
 * TypeORM attaches the parameters of a failed statement to the error it
 * throws, as an enumerable field, so every logger that serialises the error
 * (pino's `err`, Nest's console) writes them out: a failed INSERT of a
 * signing logged the encrypted PDF, 15 MB of it, as a JSON byte array. A
 * custom TypeORM logger cannot prevent that, as the error is built after it
 * is called. These fields, and PostgreSQL's echoes on pg's own error (which
 * the raw pool and pg-boss throw), are therefore made non-enumerable as the
 * libraries set them: code reading `error.driverError.code` or
 * `error.parameters` works as before, serialisers skip them. Both assign them
 * plainly (`this.parameters = ...`, `message.detail = ...`), which an
 * accessor on the prototype catches; `query-failure.spec.ts` fails should an
 * upgrade define them another way.
 */
export function keepValuesOutOfQueryErrors(): void {
  hideAsAssigned(QueryFailedError.prototype, ['parameters', 'driverError', ...ECHO_FIELDS]);
  hideAsAssigned(DatabaseError.prototype, ECHO_FIELDS);
}

function hideAsAssigned(prototype: object, fields: readonly string[]): void {
  for (const field of fields) {
    if (Object.getOwnPropertyDescriptor(prototype, field)) continue;
    Object.defineProperty(prototype, field, {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(this: object, value: unknown) {
        Object.defineProperty(this, field, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }
}
