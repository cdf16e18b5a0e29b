import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * All SQL lives in the aggregates' repositories (`*.repository.ts`): every
 * other file under src reaches the database only through them, and a
 * repository writes its table and column names in the statement's text,
 * never interpolated. src/database (the connection, migrations, key rotation
 * over the entities' metadata) and the sandbox (no database) are outside the
 * rule, and so are the few files below, each for the reason given.
 */
const SRC = join(__dirname, '..');
const OUTSIDE_THE_RULE = ['database', 'sandbox'];
const EXCEPTIONS: Record<string, string> = {
  'app.module.ts': 'opens the DataSource TypeORM hands to every repository',
  'common/state-machine/apply-transition.ts': "the transition writer the repositories' `move` methods run inside their transactions",
  'common/crypto/blind-index.subscriber.ts': 'a TypeORM subscriber: it fills the blind index inside the statement a repository runs',
  'metrics/metrics-lifecycle.ts': 'registers the subscriber that counts committed transitions; it runs no statement',
  'events/state-change-listener.ts': "LISTEN on its own connection: a session command, no table",
};

/** What only a repository (or src/database) may do: hold the DataSource for SQL, or run a statement. */
const DATABASE_ACCESS = [/\bInjectDataSource\b/, /\bpostgresPool\(/, /\.query\s*[<(]/, /\bgetRepository\(/, /\bcreateQueryBuilder\(/];

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

const name = (path: string) => relative(SRC, path);
const files = sourceFiles(SRC).filter(
  (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !OUTSIDE_THE_RULE.some((room) => name(path).startsWith(`${room}/`)),
);

describe('SQL in repositories', () => {
  it('finds a repository per aggregate', () => {
    expect(files.filter((path) => path.endsWith('.repository.ts')).map(name).sort()).toEqual([
      'admin/operator-action.repository.ts',
      'callbacks/callback-endpoint.repository.ts',
      'callbacks/callback-inbox.repository.ts',
      'common/idempotency/idempotency-key.repository.ts',
      'common/rate-limit/rate-window.repository.ts',
      'identification/mobile/mobile-identification.repository.ts',
      'identification/web/web-identification.repository.ts',
      'jobs/job-queue.repository.ts',
      'signing/signing.repository.ts',
    ]);
  });

  it('leaves every other file no database access but the repositories', () => {
    const offending = files
      .filter((path) => !path.endsWith('.repository.ts') && !(name(path) in EXCEPTIONS))
      .flatMap((path) => {
        const text = readFileSync(path, 'utf8');
        return DATABASE_ACCESS.filter((pattern) => pattern.test(text)).map((pattern) => `${name(path)}: ${pattern.source}`);
      });
    expect(offending).toEqual([]);
  });

  it('keeps each exception to a file that exists and still needs it', () => {
    for (const exception of Object.keys(EXCEPTIONS)) {
      const text = readFileSync(join(SRC, exception), 'utf8');
      expect([exception, DATABASE_ACCESS.some((pattern) => pattern.test(text)) || /\bDataSource\b/.test(text)]).toEqual([exception, true]);
    }
  });

  it('interpolates nothing into a repository statement', () => {
    const interpolating = files.filter((path) => path.endsWith('.repository.ts') && readFileSync(path, 'utf8').includes('${')).map(name);
    expect(interpolating).toEqual([]);
  });
});
