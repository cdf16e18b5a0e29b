import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { developmentKeysWarning, resolveDataProtectionKeys } from './common/crypto/resolve-keys';
import { AppConfig, LogLevel } from './config/app-config';
import { ResolvedAppConfig } from './config/config.module';
import { EMBEDDED_DATABASE_NAME } from './database/database-options';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { ensureDevCertificates } from './sandbox/pki/dev-certificates';
import { startSandbox } from './sandbox/sandbox-server';
import { sandboxDataDirFromEnv, sandboxOptionsFromEnv } from './sandbox/sandbox-config';

export interface LocalServices {
  config: ResolvedAppConfig;
  /** The sandbox's person-facing pages and control API, when the sandbox was started. */
  sandboxPagesUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Development defaults: what the configuration leaves unset is started here,
 * so `npm start` works on a fresh clone with no account and nothing to make
 * by hand. Production configuration never reaches the sandbox or the embedded
 * database (the config loader refuses it).
 */
export async function provisionLocalServices(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Promise<LocalServices> {
  const logger = startupLogger(config.logLevel);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres({
        dataDir: config.database.embedded.dataDir,
        port: config.database.embedded.port,
        databaseName: EMBEDDED_DATABASE_NAME,
      });
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }

    const { keys, developmentKeysPath } = resolveDataProtectionKeys(config.personalData, config.dataDir);
    if (developmentKeysPath) logger.warn(developmentKeysWarning(developmentKeysPath));

    let btrust = config.btrust;
    let signing = config.signing;
    let sandboxPagesUrl: string | undefined;
    if (!btrust.baseUrl) {
      const certificates = ensureDevCertificates(join(config.dataDir, 'certs'));
      const sandboxOptions = sandboxOptionsFromEnv(env);
      const sandbox = await startSandbox({
        ...sandboxOptions,
        // Its records outlive a restart, as B-Trust's do, so that open flows are not lost to a restart.
        dataDir: sandboxDataDirFromEnv(env, config.dataDir),
        tls: {
          caPem: readFileSync(certificates.caCert, 'utf8'),
          serverCertPem: readFileSync(certificates.serverCert, 'utf8'),
          serverKeyPem: readFileSync(certificates.serverKey, 'utf8'),
        },
        signingCa: {
          certificatePem: readFileSync(certificates.caCert, 'utf8'),
          privateKeyPem: readFileSync(certificates.caKey, 'utf8'),
        },
      });
      stops.push(() => sandbox.close());
      sandboxPagesUrl = sandbox.pagesBaseUrl;
      btrust = {
        ...btrust,
        baseUrl: sandbox.apiBaseUrl,
        relyingPartyId: sandboxOptions.relyingPartyId,
        tls: { certPath: certificates.clientCert, keyPath: certificates.clientKey, caPath: certificates.caCert },
        identificationUrlTemplate: sandbox.identificationUrlTemplate,
      };
      // The sandbox signs with its own CA: the signed PDFs it returns verify against that, unless configured otherwise.
      signing = { ...signing, trustAnchorsPath: signing.trustAnchorsPath ?? certificates.caCert };
      logger.warn(
        `BTRUST_BASE_URL is not set: using the built-in B-Trust sandbox at ${sandbox.apiBaseUrl} over mutual TLS ` +
          `(person-facing pages at ${sandbox.pagesBaseUrl}). Nothing here reaches the real B-Trust.`,
      );
    }

    return {
      config: {
        ...config,
        database: { ...config.database, url: databaseUrl },
        signing,
        personalData: { ...config.personalData, ...keys },
        btrust: { ...btrust, baseUrl: btrust.baseUrl!, relyingPartyId: btrust.relyingPartyId! },
        sandboxPagesUrl,
      },
      sandboxPagesUrl,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * These warnings come before the application exists. `npm start` has put the
 * process logger in place already; an in-process test server has not, and
 * Nest's console logger knows nothing of LOG_LEVEL, which this honours
 * (tests run silent).
 */
export function startupLogger(level: LogLevel, print: Pick<Logger, 'warn'> = new Logger('LocalServices')): Pick<Logger, 'warn'> {
  const showsWarnings = !['silent', 'fatal', 'error'].includes(level);
  return { warn: (message: string) => (showsWarnings ? print.warn(message) : undefined) };
}
