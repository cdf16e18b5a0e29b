import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ensureDevCertificates } from './pki/dev-certificates';
import { sandboxCertsDirFromEnv, sandboxDataDirFromEnv, sandboxOptionsFromEnv } from './sandbox-config';
import { startSandbox } from './sandbox-server';

/** `npm run sandbox`: the B-Trust simulator on its own, for relying parties developing against it. */
async function main(): Promise<void> {
  const logger = pino({ name: 'btrust-sandbox' });
  const options = sandboxOptionsFromEnv(process.env);
  const dataDir = sandboxDataDirFromEnv(process.env);
  const certificates = ensureDevCertificates(sandboxCertsDirFromEnv(process.env));
  const caPem = readFileSync(certificates.caCert, 'utf8');
  const sandbox = await startSandbox({
    ...options,
    tls: {
      caPem,
      serverCertPem: readFileSync(certificates.serverCert, 'utf8'),
      serverKeyPem: readFileSync(certificates.serverKey, 'utf8'),
    },
    signingCa: { certificatePem: caPem, privateKeyPem: readFileSync(certificates.caKey, 'utf8') },
    dataDir,
    logger,
  });
  logger.info(
    {
      apiBaseUrl: sandbox.apiBaseUrl,
      relyingPartyId: options.relyingPartyId,
      identificationUrlTemplate: sandbox.identificationUrlTemplate,
      pagesAndControlApi: sandbox.pagesBaseUrl,
      clientCertificate: certificates.clientCert,
      clientKey: certificates.clientKey,
      clientPkcs12: certificates.clientPfx,
      clientPkcs12Passphrase: certificates.clientPfxPassphrase,
      trustedCa: certificates.caCert,
      readings: options.readings,
      dataDir: dataDir ?? 'memory only',
    },
    'B-Trust sandbox ready: configure the relying party with these',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sandbox stopping');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.warn({ error: (error as Error).message }, 'sandbox did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The B-Trust sandbox did not start: ${(error as Error).message}\n`);
  process.exit(1);
});
