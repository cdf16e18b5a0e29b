import { Client } from 'pg';
import { startEmbeddedCluster } from '../../test/support/embedded-cluster';

export interface BenchPostgres {
  /** A URL to the `postgres` database, from which each scenario group makes a database of its own. */
  adminUrl: string;
  /** The postmaster, whose children are the backends; undefined for an external PostgreSQL. */
  postmasterPid: number | undefined;
  /** `PostgreSQL <version>` and the settings that matter for the figures. */
  description: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL for the whole run: the one DATABASE_URL names, or an
 * embedded one started here with PostgreSQL's default durability settings.
 */
export async function startPostgres(databaseUrl: string | undefined): Promise<BenchPostgres> {
  if (databaseUrl) {
    return { adminUrl: databaseUrl, postmasterPid: undefined, description: await describe(databaseUrl, 'external (DATABASE_URL)'), stop: async () => {} };
  }
  const cluster = await startEmbeddedCluster({ durable: true, tempPrefix: 'btrust-cas-bench-' });
  return {
    adminUrl: cluster.adminUrl,
    postmasterPid: await cluster.postmasterPid(),
    description: await describe(cluster.adminUrl, 'embedded'),
    stop: () => cluster.stop(),
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
