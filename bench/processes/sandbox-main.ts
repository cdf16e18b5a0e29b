/**
 * The sandbox (the provider) in a process of its own, so that its CPU is not
 * the server's or the orchestrator's. Settings arrive as JSON in
 * BENCH_SANDBOX_SETTINGS; the URLs go back over IPC.
 */
import { readFileSync } from 'node:fs';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import { announceReady } from '../harness/ipc';

export interface SandboxProcessSettings {
  relyingPartyId: string;
  callbackDelayMs: number;
  mobileIdentificationValidityMs: number;
  certificates: { caCert: string; caKey: string; serverCert: string; serverKey: string };
}

export interface SandboxProcessDetails {
  apiBaseUrl: string;
  pagesBaseUrl: string;
  identificationUrlTemplate: string;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_SANDBOX_SETTINGS ?? '') as SandboxProcessSettings;
  const ca = readFileSync(settings.certificates.caCert, 'utf8');
  const sandbox = await startSandbox({
    apiPort: 0,
    pagesPort: 0,
    relyingPartyId: settings.relyingPartyId,
    callbackDelayMs: settings.callbackDelayMs,
    mobileIdentificationValidityMs: settings.mobileIdentificationValidityMs,
    tls: {
      caPem: ca,
      serverCertPem: readFileSync(settings.certificates.serverCert, 'utf8'),
      serverKeyPem: readFileSync(settings.certificates.serverKey, 'utf8'),
    },
    signingCa: { certificatePem: ca, privateKeyPem: readFileSync(settings.certificates.caKey, 'utf8') },
  });
  process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
  announceReady({
    apiBaseUrl: sandbox.apiBaseUrl,
    pagesBaseUrl: sandbox.pagesBaseUrl,
    identificationUrlTemplate: sandbox.identificationUrlTemplate,
  } satisfies SandboxProcessDetails);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
