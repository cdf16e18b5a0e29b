import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Opening a connection may take this long in tests (the server's default is 5 s): on a shared
 * 2-core machine under a full suite, a new PostgreSQL backend can take longer than that to start.
 */
export const TEST_CONNECT_TIMEOUT_MS = 30_000;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the suite's PostgreSQL (see global-setup.mjs),
 * so every test file starts from migrations and cannot see another's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_ADMIN_URL is not set: run e2e tests through jest (global setup)');
  const name = `cas_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(url: string, run: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}
