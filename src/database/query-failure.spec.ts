import { inspect } from 'node:util';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { keepValuesOutOfQueryErrors } from './query-failure';

const ECHO = 'Failing row contains (Maria Ivanova, \\x7631...)';

/** A driver error as pg's parser builds it for a CHECK violation: PostgreSQL's detail echoes the row. */
function checkViolation(): DatabaseError {
  const error = new DatabaseError('new row for relation "signing_documents" violates check constraint "refuse"', 120, 'error');
  return Object.assign(error, {
    code: '23514',
    severity: 'ERROR',
    table: 'signing_documents',
    constraint: 'refuse',
    detail: ECHO,
    where: 'PL/pgSQL function f() line 3 at RAISE',
  });
}

function serialisations(error: Error): string[] {
  const enumerated: Record<string, unknown> = {};
  for (const key in error) enumerated[key] = (error as unknown as Record<string, unknown>)[key];
  return [JSON.stringify(enumerated), inspect(error, { depth: 5 }), JSON.stringify(error)];
}

describe(keepValuesOutOfQueryErrors.name, () => {
  const document = Buffer.alloc(64 * 1024, 7);
  keepValuesOutOfQueryErrors();
  keepValuesOutOfQueryErrors();

  it("keeps a QueryFailedError's parameters and PostgreSQL's echoes out of every serialisation of it", () => {
    const error = new QueryFailedError('INSERT INTO "signing_documents"("title", "original") VALUES ($1, $2)', ['Maria Ivanova', document], checkViolation());
    const enumerated = Object.keys(error);
    expect(enumerated.filter((key) => ['parameters', 'driverError', 'detail', 'where', 'internalQuery'].includes(key))).toEqual([]);
    for (const text of serialisations(error)) {
      expect(text).not.toContain('Maria Ivanova');
      expect(text).not.toContain('Failing row');
      expect(text.length).toBeLessThan(4_000);
    }
    expect({ ...error }).toMatchObject({ code: '23514', table: 'signing_documents', constraint: 'refuse' });
  });

  it("keeps PostgreSQL's echoes out of pg's own error, as the raw pool throws it", () => {
    const error = checkViolation();
    for (const text of serialisations(error)) expect(text).not.toContain('Failing row');
    expect({ ...error }).toMatchObject({ code: '23514', constraint: 'refuse' });
  });

  it('leaves the fields readable for the code that looks at them', () => {
    const driverError = checkViolation();
    const error = new QueryFailedError('INSERT INTO t VALUES ($1)', [document], driverError);
    expect(error.parameters).toEqual([document]);
    expect(error.driverError).toBe(driverError);
    expect(error.driverError.detail).toBe(ECHO);
    expect(error.message).toContain('violates check constraint');
  });
});
