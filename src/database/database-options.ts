import { DataSourceOptions } from 'typeorm';
import { DatabaseLogger } from './database-logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { keepValuesOutOfQueryErrors } from './query-failure';

export const EMBEDDED_DATABASE_NAME = 'btrust_cas';

/**
 * One definition of how we talk to PostgreSQL, shared by the server and the
 * migration CLI. Entities and migrations are class references, not globs, so
 * the same list works under ts-jest and from dist/. No statement's parameters
 * are ever logged, neither by TypeORM's logger nor with its errors.
 */
export function databaseOptions(url: string, connectTimeoutMs: number): DataSourceOptions {
  keepValuesOutOfQueryErrors();
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Never inside initialize(): the server runs them under an advisory lock (exclusive-migrations.ts).
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: new DatabaseLogger(),
    extra: {
      max: 20,
      // Fail fast instead of hanging when the database is unreachable (DATABASE_CONNECT_TIMEOUT_MS).
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'btrust-cas',
    },
  };
}
