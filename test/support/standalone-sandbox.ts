import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevCertificateFiles, ensureDevCertificates } from '../../src/sandbox/pki/dev-certificates';
import { RunningSandbox, startSandbox } from '../../src/sandbox/sandbox-server';

export const SANDBOX_RELYING_PARTY_ID = '24102167';

/**
 * A sandbox in the test process, for tests that run the server in a child
 * process (to kill it, or to capture everything it writes): the provider
 * outlives the server, as B-Trust would.
 */
export async function startStandaloneSandbox(): Promise<{ sandbox: RunningSandbox; certificates: DevCertificateFiles }> {
  const certificates = ensureDevCertificates(join(await mkdtemp(join(tmpdir(), 'btrust-cas-sandbox-')), 'certs'));
  const ca = await readFile(certificates.caCert, 'utf8');
  const sandbox = await startSandbox({
    apiPort: 0,
    pagesPort: 0,
    relyingPartyId: SANDBOX_RELYING_PARTY_ID,
    callbackDelayMs: 20,
    tls: { caPem: ca, serverCertPem: await readFile(certificates.serverCert, 'utf8'), serverKeyPem: await readFile(certificates.serverKey, 'utf8') },
    signingCa: { certificatePem: ca, privateKeyPem: await readFile(certificates.caKey, 'utf8') },
  });
  return { sandbox, certificates };
}
