import { AddressInfo } from 'node:net';
import { FastifyInstance } from 'fastify';
import { buildApiApp } from './api-app';
import { CallbackDispatcher } from './callback-dispatcher';
import { DocumentServices } from './document-services';
import { FaultInjector } from './fault-injector';
import { MobileIdentificationFlow } from './mobile-identification-flow';
import { buildPagesApp } from './pages-app';
import { signingPageUrl } from './pages/signing-page-routes';
import { ProviderRecords } from './provider-records';
import { SandboxLogger, silentLogger } from './sandbox-logger';
import { ReadingsBoard, SandboxReadings } from './sandbox-readings';
import { FolderStore, MEMORY_ONLY } from './sandbox-store';
import { SigningFlow } from './signing-flow';
import { TlsHandshakeCounter } from './tls-handshakes';
import { WebIdentificationFlow } from './web-identification-flow';

export interface SandboxOptions {
  /** Interface both listeners bind to; default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  apiPort: number;
  pagesPort: number;
  /** The API's server certificate, and the CA whose client certificates it accepts. */
  tls: { caPem: string; serverCertPem: string; serverKeyPem: string };
  /** Issues the one-time signing certificates and the eID seal. */
  signingCa: { certificatePem: string; privateKeyPem: string };
  /** Digits only: callbacks carry it as a JSON number. */
  relyingPartyId: string;
  callbackDelayMs?: number;
  mobileIdentificationValidityMs?: number;
  webSessionValidityMs?: number;
  signSessionValidityMs?: number;
  /** How the sandbox answers where the document is unclear (see sandbox-readings.ts); unset keys keep the defaults. */
  readings?: Partial<SandboxReadings>;
  /** Keeps records, documents and id sequences here across restarts; unset: memory only. */
  dataDir?: string;
  logger?: SandboxLogger;
}

export interface RunningSandbox {
  /** `https://localhost:<port>/signing-api/v2` */
  apiBaseUrl: string;
  /** `http://localhost:<port>` */
  pagesBaseUrl: string;
  /** `${pagesBaseUrl}/session/{sessionId}` */
  identificationUrlTemplate: string;
  close(): Promise<void>;
}

const MINUTE_MS = 60_000;
const DEFAULTS = {
  host: '127.0.0.1',
  callbackDelayMs: 200,
  mobileIdentificationValidityMs: 5 * MINUTE_MS,
  webSessionValidityMs: 60 * MINUTE_MS,
  signSessionValidityMs: 8 * 60 * MINUTE_MS,
};
const PURGE_INTERVAL_MS = 10 * MINUTE_MS;

/** Starts the simulated B-Trust provider: the mutual-TLS API and the browser pages with the control API. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  if (!/^\d{1,15}$/.test(options.relyingPartyId)) {
    throw new Error('relyingPartyId must be digits: the provider sends it as a number in callbacks');
  }
  const host = options.host ?? DEFAULTS.host;
  const logger = options.logger ?? silentLogger;
  const readings = new ReadingsBoard(options.readings);
  const records = new ProviderRecords(options.dataDir ? new FolderStore(options.dataDir, logger) : MEMORY_ONLY);
  records.purgeOlderThanRetention(new Date());
  const faults = new FaultInjector();
  const callbacks = new CallbackDispatcher(
    Number(options.relyingPartyId),
    options.callbackDelayMs ?? DEFAULTS.callbackDelayMs,
    logger,
    () => records.nextRequestId(),
  );
  const documents = new DocumentServices(options.signingCa, options.relyingPartyId);
  const mobile = new MobileIdentificationFlow(
    records,
    documents,
    readings,
    {
      relyingPartyId: options.relyingPartyId,
      validityMs: options.mobileIdentificationValidityMs ?? DEFAULTS.mobileIdentificationValidityMs,
    },
    logger,
  );
  const web = new WebIdentificationFlow(
    records,
    documents,
    callbacks,
    readings,
    {
      relyingPartyId: options.relyingPartyId,
      webSessionValidityMs: options.webSessionValidityMs ?? DEFAULTS.webSessionValidityMs,
      signSessionValidityMs: options.signSessionValidityMs ?? DEFAULTS.signSessionValidityMs,
    },
    logger,
  );
  const signing = new SigningFlow(records, documents, callbacks, faults, readings, logger);
  const tlsHandshakes = new TlsHandshakeCounter();

  const urls = { apiBaseUrl: '', pagesBaseUrl: '' };
  const pagesApp = buildPagesApp({
    relyingPartyId: options.relyingPartyId,
    records,
    mobile,
    web,
    signing,
    faults,
    callbacks,
    readings,
    tlsHandshakes,
    logger,
    urls: () => urls,
  });
  const apiApp = buildApiApp({
    tls: options.tls,
    relyingPartyId: options.relyingPartyId,
    mobile,
    web,
    signing,
    faults,
    logger,
    signingPageUrl: (pageToken) => signingPageUrl(urls.pagesBaseUrl, pageToken),
  });
  apiApp.server.on('secureConnection', () => tlsHandshakes.record());

  const started: FastifyInstance[] = [];
  try {
    urls.pagesBaseUrl = `http://localhost:${await listen(pagesApp, host, options.pagesPort, 'SANDBOX_PAGES_PORT')}`;
    started.push(pagesApp);
    urls.apiBaseUrl = `https://localhost:${await listen(apiApp, host, options.apiPort, 'SANDBOX_API_PORT')}/signing-api/v2`;
    started.push(apiApp);
  } catch (error) {
    await Promise.all(started.map((app) => app.close()));
    records.close();
    throw error;
  }

  const purge = setInterval(() => records.purgeOlderThanRetention(new Date()), PURGE_INTERVAL_MS);
  purge.unref();
  logger.info(
    {
      apiBaseUrl: urls.apiBaseUrl,
      pagesBaseUrl: urls.pagesBaseUrl,
      readings: readings.get(),
      dataDir: options.dataDir ?? 'memory only',
      recordsLoaded: records.mobile.size + records.webBySessionId.size + records.signingByResultId.size,
    },
    'sandbox started',
  );

  return {
    apiBaseUrl: urls.apiBaseUrl,
    pagesBaseUrl: urls.pagesBaseUrl,
    identificationUrlTemplate: `${urls.pagesBaseUrl}/session/{sessionId}`,
    close: async () => {
      clearInterval(purge);
      callbacks.close();
      await Promise.all([apiApp.close(), pagesApp.close()]);
      records.close();
      logger.info({}, 'sandbox stopped');
    },
  };
}

/** Another program on one of the sandbox's ports: it is left alone, and this start stops with what it started. */
export class SandboxPortInUseError extends Error {
  constructor(host: string, port: number, setting: string) {
    super(
      `Port ${port} on ${host} is already in use (another sandbox or server?). Nothing was stopped. ` +
        `Stop whatever listens there, or give the sandbox another port with ${setting} (0 picks a free one).`,
    );
    this.name = 'SandboxPortInUseError';
  }
}

async function listen(app: FastifyInstance, host: string, port: number, setting: string): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SandboxPortInUseError(host, port, setting);
    throw error;
  }
  return (app.server.address() as AddressInfo).port;
}
