import { QueryFailedError } from 'typeorm';

/**
 * The fields of a QueryFailedError that hold the values a statement was
 * given: its parameters, the driver's error, and what PostgreSQL echoes of
 * them (`detail` carries "Failing row contains (...)", `where` and
 * `internalQuery` the context of a function that raised).
 */
const VALUE_FIELDS = ['parameters', 'driverError', 'detail', 'where', 'internalQuery'] as const;

/**
 * TypeORM attaches the parameters of a failed statement to the error it
 * throws, as an enumerable field, so every logger that serialises the error
 * (pino's `err`, Nest's console) writes them out: a failed INSERT of a
 * signing logged the encrypted PDF, 37 MB of it, as a JSON byte array. A
 * custom TypeORM logger cannot prevent that, as the error is built after it
 * is called. These fields are therefore made non-enumerable as TypeORM sets
 * them: code reading `error.driverError.code` or `error.parameters` works as
 * before, serialisers skip them. TypeORM assigns them in its constructor
 * (`this.parameters = ...`), which the accessor on the prototype catches;
 * `query-failure.spec.ts` fails should a TypeORM upgrade define them another
 * way.
 */
export function keepValuesOutOfQueryErrors(): void {
  for (const field of VALUE_FIELDS) {
    if (Object.getOwnPropertyDescriptor(QueryFailedError.prototype, field)) continue;
    Object.defineProperty(QueryFailedError.prototype, field, {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(this: QueryFailedError, value: unknown) {
        Object.defineProperty(this, field, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }
}
