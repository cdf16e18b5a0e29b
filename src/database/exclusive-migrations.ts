import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The session-level advisory lock that serialises migration runs: a fixed
 * 64-bit number, the same for every instance of this server ("btrust-cas
 * migrations", the first 8 bytes of its SHA-256), unlikely to be one another application on the same
 * database uses.
 */
export const MIGRATIONS_LOCK_KEY = '-4850084144873536930';

/**
 * Runs the pending migrations while holding the advisory lock, so that N
 * instances started at once on a new database do not race: the first runs
 * them, the others wait for it and then find nothing left to run. The lock is
 * held by one dedicated connection for the whole run and PostgreSQL releases
 * it if that connection drops (a killed instance never leaves it held).
 * Needs a session (not a transaction-pooling PgBouncer) between the server
 * and PostgreSQL.
 */
export async function runMigrationsExclusively(dataSource: DataSource, logger = new Logger('Migrations')): Promise<void> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    const [{ locked }] = await lockHolder.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [MIGRATIONS_LOCK_KEY]);
    if (!locked) {
      logger.log('Another instance is running the migrations: waiting for it to finish');
      await lockHolder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATIONS_LOCK_KEY]);
    }
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.log({ migrations: applied.map((migration) => migration.name) }, 'Migrations applied');
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATIONS_LOCK_KEY]);
    }
  } finally {
    await lockHolder.release();
  }
}
