import { inspect } from 'node:util';
import { QueryFailedError } from 'typeorm';
import { keepValuesOutOfQueryErrors } from './query-failure';

/** A driver error as pg builds it for a CHECK violation: PostgreSQL's detail echoes the row. */
function checkViolation(): Error {
  return Object.assign(new Error('new row for relation "signing_documents" violates check constraint "refuse"'), {
    code: '23514',
    severity: 'ERROR',
    table: 'signing_documents',
    constraint: 'refuse',
    detail: 'Failing row contains (Maria Ivanova, \\x7631...)',
    where: 'PL/pgSQL function f() line 3 at RAISE',
  });
}

describe(keepValuesOutOfQueryErrors.name, () => {
  const document = Buffer.alloc(64 * 1024, 7);
  keepValuesOutOfQueryErrors();
  keepValuesOutOfQueryErrors();

  it('keeps the parameters and what PostgreSQL echoed of them out of every serialisation of the error', () => {
    const error = new QueryFailedError('INSERT INTO "signing_documents"("title", "original") VALUES ($1, $2)', ['Maria Ivanova', document], checkViolation());
    const enumerated: string[] = [];
    for (const key in error) enumerated.push(key);
    expect(enumerated.filter((key) => ['parameters', 'driverError', 'detail', 'where', 'internalQuery'].includes(key))).toEqual([]);
    for (const text of [JSON.stringify(error), inspect(error, { depth: 5 }), JSON.stringify({ ...error })]) {
      expect(text).not.toContain('Maria Ivanova');
      expect(text).not.toContain('Failing row');
      expect(text.length).toBeLessThan(4_000);
    }
    expect({ ...error }).toMatchObject({ code: '23514', table: 'signing_documents', constraint: 'refuse' });
  });

  it('leaves the fields readable for the code that looks at them', () => {
    const driverError = checkViolation();
    const error = new QueryFailedError('INSERT INTO t VALUES ($1)', [document], driverError);
    expect(error.parameters).toEqual([document]);
    expect(error.driverError).toBe(driverError);
    expect((error as unknown as { detail: string }).detail).toContain('Failing row');
    expect(error.message).toContain('violates check constraint');
  });
});
