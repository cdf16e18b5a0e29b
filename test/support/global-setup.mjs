// Starts one real PostgreSQL for the whole run (service and e2e tiers), unless
// DATABASE_URL points at one already. Runs outside jest's module sandbox, so
// it is plain ESM. Test files reach the server through TEST_DATABASE_ADMIN_URL
// and create a database of their own from it. TEST_CERTIFICATES_DIR is where
// the sandbox's development certificates are issued once for the run
// (test-certificates.ts).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedCluster } from './embedded-cluster.js';

export default async function globalSetup() {
  process.env.TEST_CERTIFICATES_DIR = await mkdtemp(join(tmpdir(), 'btrust-cas-test-certs-'));
  globalThis.__TEST_CERTIFICATES_DIR__ = process.env.TEST_CERTIFICATES_DIR;
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const cluster = await startEmbeddedCluster({ tempPrefix: 'btrust-cas-test-' });
  globalThis.__EMBEDDED_POSTGRES__ = cluster;
  process.env.TEST_DATABASE_ADMIN_URL = cluster.adminUrl;
}
