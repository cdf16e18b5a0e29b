import Fastify, { FastifyInstance } from 'fastify';
import { apiCallLogging } from './api/api-call-logging';
import { apiErrorAnswers } from './api/api-error-answers';
import { faultInjection } from './api/fault-injection';
import { mobileIdentificationRoutes } from './api/mobile-identification-routes';
import { relyingPartyCheck } from './api/relying-party-check';
import { signingRoutes } from './api/signing-routes';
import { webIdentificationRoutes } from './api/web-identification-routes';
import { FaultInjector } from './fault-injector';
import { MobileIdentificationFlow } from './mobile-identification-flow';
import { SandboxLogger } from './sandbox-logger';
import { SigningFlow } from './signing-flow';
import { WebIdentificationFlow } from './web-identification-flow';

export interface ApiAppDependencies {
  tls: { caPem: string; serverCertPem: string; serverKeyPem: string };
  relyingPartyId: string;
  mobile: MobileIdentificationFlow;
  web: WebIdentificationFlow;
  signing: SigningFlow;
  faults: FaultInjector;
  logger: SandboxLogger;
  /** Known only once the pages listener is up. */
  signingPageUrl: (pageToken: string) => string;
}

const API_PREFIX = '/signing-api/v2';
// Base64 PDFs travel inside JSON; 1 MiB (Fastify's default) is far too small for real documents.
// The server's default signing limits (10 documents of 10 MiB) make a body of about 134 MiB.
const BODY_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * The Signing API v2 over mutual TLS: only clients holding a certificate of
 * the sandbox CA complete the handshake, and every call must carry the
 * relying party id. One plugin per scenario of the document; the hooks they
 * share apply to every call, unknown paths included.
 */
export function buildApiApp(deps: ApiAppDependencies): FastifyInstance {
  const app = Fastify({
    https: {
      key: deps.tls.serverKeyPem,
      cert: deps.tls.serverCertPem,
      ca: deps.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    bodyLimit: BODY_LIMIT_BYTES,
    // The document's own URLs contain `//signing-api` and `v2//identification`.
    routerOptions: { ignoreDuplicateSlashes: true },
    logger: false,
  });

  // In this order: a fault armed for an operation fires before the relying party is checked.
  app.register(faultInjection, { faults: deps.faults, logger: deps.logger });
  app.register(relyingPartyCheck, { relyingPartyId: deps.relyingPartyId });
  app.register(apiCallLogging, { logger: deps.logger });
  app.register(apiErrorAnswers, { logger: deps.logger });

  app.register(mobileIdentificationRoutes, { prefix: API_PREFIX, mobile: deps.mobile });
  app.register(webIdentificationRoutes, { prefix: API_PREFIX, relyingPartyId: deps.relyingPartyId, web: deps.web, signing: deps.signing });
  app.register(signingRoutes, { prefix: API_PREFIX, signing: deps.signing, signingPageUrl: deps.signingPageUrl });
  return app;
}
