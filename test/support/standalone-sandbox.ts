import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import type { SandboxReadings } from '../../src/sandbox/sandbox-readings';
import { RunningSandbox, startSandbox } from '../../src/sandbox/sandbox-server';
import { testCertificates } from './test-certificates';

export const SANDBOX_RELYING_PARTY_ID = '24102167';

export interface StandaloneSandboxOptions {
  readings?: Partial<SandboxReadings>;
  /** Keeps the records there (and reloads them from there); unset: memory only. */
  dataDir?: string;
  /** Reuse these certificates, e.g. to restart the sandbox under a running server. */
  certificates?: DevCertificateFiles;
  /** 0 (default) picks free ports; a restart passes the ports of the sandbox it replaces. */
  apiPort?: number;
  pagesPort?: number;
  mobileIdentificationValidityMs?: number;
  webSessionValidityMs?: number;
}

/**
 * A sandbox in the test process, for tests that run the server in a child
 * process (to kill it, or to capture everything it writes), or that stop and
 * start the provider under a running server: the provider outlives the
 * server, as B-Trust would.
 */
export async function startStandaloneSandbox(
  options: StandaloneSandboxOptions = {},
): Promise<{ sandbox: RunningSandbox; certificates: DevCertificateFiles }> {
  const certificates = options.certificates ?? testCertificates(join(await mkdtemp(join(tmpdir(), 'btrust-cas-sandbox-')), 'certs'));
  const ca = await readFile(certificates.caCert, 'utf8');
  const sandbox = await startSandbox({
    apiPort: options.apiPort ?? 0,
    pagesPort: options.pagesPort ?? 0,
    relyingPartyId: SANDBOX_RELYING_PARTY_ID,
    callbackDelayMs: 20,
    mobileIdentificationValidityMs: options.mobileIdentificationValidityMs,
    webSessionValidityMs: options.webSessionValidityMs,
    readings: options.readings,
    dataDir: options.dataDir,
    tls: { caPem: ca, serverCertPem: await readFile(certificates.serverCert, 'utf8'), serverKeyPem: await readFile(certificates.serverKey, 'utf8') },
    signingCa: { certificatePem: ca, privateKeyPem: await readFile(certificates.caKey, 'utf8') },
  });
  return { sandbox, certificates };
}

/** The port a running sandbox's URL names, to start its successor on the same one. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * The server's B-Trust settings for a sandbox started in the test process:
 * its URLs, the relying party and the development certificates.
 */
export function providerEnv(
  sandbox: Pick<RunningSandbox, 'apiBaseUrl' | 'identificationUrlTemplate'>,
  certificates: Pick<DevCertificateFiles, 'clientCert' | 'clientKey' | 'caCert'>,
  relyingPartyId = SANDBOX_RELYING_PARTY_ID,
): Record<string, string> {
  return {
    BTRUST_BASE_URL: sandbox.apiBaseUrl,
    BTRUST_RELYING_PARTY_ID: relyingPartyId,
    BTRUST_CLIENT_CERT: certificates.clientCert,
    BTRUST_CLIENT_KEY: certificates.clientKey,
    BTRUST_CA: certificates.caCert,
    BTRUST_IDENTIFICATION_URL: sandbox.identificationUrlTemplate,
    BTRUST_SIGNING_TRUST_ANCHORS: certificates.caCert,
  };
}
