// A PostgreSQL in its own process, for tests that stop and restart the
// database under a running server. Usage: node postgres-process.mjs <dataDir> <port>
// Prints "ready" once it accepts connections; SIGTERM stops it cleanly.
import { startEmbeddedCluster } from './embedded-cluster.js';

const [dataDir, port] = process.argv.slice(2);
const cluster = await startEmbeddedCluster({ dataDir, port: Number(port) });
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await cluster.stop();
  process.exit(0);
});
