import { Client } from 'pg';
import request from 'supertest';
import { MIGRATIONS } from '../../src/database/migrations';
import { MIGRATIONS_LOCK_KEY } from '../../src/database/exclusive-migrations';
import { eventually } from '../support/sandbox-control';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestServer, TestServer } from '../support/test-server';

const RUN_MIGRATIONS = { DATABASE_RUN_MIGRATIONS: 'true', MOBILE_POLL_INITIAL_INTERVAL_MS: '60000' };

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Each migration's name and how often the migrations table records it. */
async function appliedMigrations(url: string): Promise<Array<{ name: string; runs: number }>> {
  const client = await connect(url);
  try {
    const { rows } = await client.query('SELECT name, count(*)::int AS runs FROM migrations GROUP BY name ORDER BY min(id)');
    return rows;
  } finally {
    await client.end();
  }
}

describe('Migrations run under a PostgreSQL advisory lock', () => {
  const databases: TestDatabase[] = [];
  const servers: TestServer[] = [];

  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const database of databases) await database.drop();
  });

  const everyMigrationOnce = MIGRATIONS.map((migration) => ({ name: migration.name, runs: 1 }));

  it('brings two instances started at once on a new database up, with each migration applied once', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const started = await Promise.allSettled([startTestServer(RUN_MIGRATIONS, { database }), startTestServer(RUN_MIGRATIONS, { database })]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual(['up', 'up']);

    for (const server of servers.slice(-2)) await request(server.url).get('/health').expect(200);
    expect(await appliedMigrations(database.url)).toEqual(everyMigrationOnce);
  });

  it('waits for the lock that another session holds before running any migration', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const holder = await connect(database.url);
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATIONS_LOCK_KEY]);
      const starting = startTestServer(RUN_MIGRATIONS, { database });
      starting.catch(() => undefined);
      // The server's session queues behind ours on the same lock, and has created nothing meanwhile.
      await eventually(
        // Advisory locks are per database: those of other test files' servers on the same cluster are not ours.
        () =>
          holder.query(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          ),
        (result) => result.rows[0].n === 1,
      );
      const tables = await holder.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.rows[0].n).toBe(0);

      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATIONS_LOCK_KEY]);
      servers.push(await starting);
    } finally {
      await holder.end();
    }
    expect(await appliedMigrations(database.url)).toEqual(everyMigrationOnce);
  });
});
