import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DevCertificateFiles, ensureDevCertificates } from '../../src/sandbox/pki/dev-certificates';

/**
 * The sandbox's development certificates in `dir`, as ensureDevCertificates
 * makes them, but issued once per run and copied: issuing them (three RSA
 * keys) costs a second or more of CPU, and nearly every test file starts a
 * server or a sandbox of its own. The copies are the files a server's first
 * start writes, so it finds them usable and writes nothing. Outside jest's
 * global setup (no TEST_CERTIFICATES_DIR) they are issued in place.
 */
export function testCertificates(dir: string): DevCertificateFiles {
  const shared = process.env.TEST_CERTIFICATES_DIR;
  if (shared) {
    const issued = issuedOnce(shared);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(issued)) copyFileSync(join(issued, name), join(dir, name));
  }
  return ensureDevCertificates(dir);
}

/** `<shared>/certs`, issued by the first test file that asks; parallel files that race for it keep the first one in place. */
function issuedOnce(shared: string): string {
  const issued = join(shared, 'certs');
  if (existsSync(issued)) return issued;
  const candidate = join(shared, `issuing-${randomBytes(6).toString('hex')}`);
  ensureDevCertificates(candidate);
  try {
    renameSync(candidate, issued);
  } catch (error) {
    if (!existsSync(issued)) throw error;
    rmSync(candidate, { recursive: true, force: true });
  }
  return issued;
}
