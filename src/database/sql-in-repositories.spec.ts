import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * All SQL lives in the aggregates' repositories (`*.repository.ts`): the
 * services and handlers of a converted room reach the database only through
 * them, and a repository writes its table and column names in the
 * statement's text, never interpolated. Rooms are listed here as they are
 * converted; the rule is the same for each.
 */
const SRC = join(__dirname, '..');
const CONVERTED = [
  'callbacks',
  'common/idempotency',
  'common/rate-limit',
  'admin',
  'retention',
  'jobs',
  'metrics/metrics-exporter.ts',
  'identification/mobile',
  'identification/web',
  'signing',
];

/** What only a repository (or src/database) may do: hold the DataSource for SQL, or run a statement. */
const DATABASE_ACCESS = [/\bInjectDataSource\b/, /\bpostgresPool\(/, /\.query\s*[<(]/, /\bgetRepository\(/, /\bcreateQueryBuilder\(/];

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

const files = CONVERTED.flatMap((room) => sourceFiles(join(SRC, room))).filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'));
const name = (path: string) => relative(SRC, path);

describe('SQL in repositories', () => {
  it('finds the converted rooms', () => {
    expect(files.filter((path) => path.endsWith('.repository.ts')).length).toBeGreaterThanOrEqual(5);
  });

  it('leaves the services and handlers of converted rooms no database access but their repositories', () => {
    const offending = files
      .filter((path) => !path.endsWith('.repository.ts'))
      .flatMap((path) => {
        const text = readFileSync(path, 'utf8');
        return DATABASE_ACCESS.filter((pattern) => pattern.test(text)).map((pattern) => `${name(path)}: ${pattern.source}`);
      });
    expect(offending).toEqual([]);
  });

  it('interpolates nothing into a repository statement', () => {
    const interpolating = files.filter((path) => path.endsWith('.repository.ts') && readFileSync(path, 'utf8').includes('${')).map(name);
    expect(interpolating).toEqual([]);
  });
});
