import { labelStatement } from './database-logger';

describe(labelStatement.name, () => {
  it.each([
    ['INSERT INTO "signing_documents"("signing_id", "index", "original") VALUES ($1, $2, $3)', 'INSERT signing_documents'],
    ['  update web_identifications SET status = $1\n WHERE id = $2', 'UPDATE web_identifications'],
    ['DELETE FROM "public"."rate_windows" WHERE window_start < $1', 'DELETE public.rate_windows'],
    ['SELECT "Signing"."id" AS "Signing_id" FROM "signings" "Signing" WHERE "Signing"."id" = $1', 'SELECT signings'],
    ['WITH due AS (SELECT id FROM mobile_identifications) UPDATE mobile_identifications SET x = 1', 'WITH mobile_identifications'],
    ['START TRANSACTION', 'START'],
  ])('names %s as %s', (sql, statement) => {
    expect(labelStatement(sql).statement).toBe(statement);
  });

  it('gives the same statement the same fingerprint however it is spaced, and another statement another one', () => {
    const once = labelStatement('SELECT id FROM signings WHERE id = $1');
    expect(once.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(labelStatement('  SELECT id\n  FROM signings   WHERE id = $1 ').fingerprint).toBe(once.fingerprint);
    expect(labelStatement('SELECT id FROM signings WHERE owner = $1').fingerprint).not.toBe(once.fingerprint);
  });
});
