import Fastify, { FastifyInstance } from 'fastify';
import { CallbackDispatcher } from './callback-dispatcher';
import { apiTrafficControl } from './control/api-traffic-control';
import { callbackControl } from './control/callback-control';
import { ControlRequestError } from './control/control-request';
import { mobileIdentificationControl } from './control/mobile-identification-control';
import { sandboxStateControl } from './control/sandbox-state-control';
import { signingControl } from './control/signing-control';
import { webIdentificationControl } from './control/web-identification-control';
import { FaultDefinitionError, FaultInjector } from './fault-injector';
import { MobileIdentificationFlow } from './mobile-identification-flow';
import { messagePage } from './pages/html';
import { indexPage } from './pages/index-page';
import { mobileAppRoutes } from './pages/mobile-app-routes';
import { htmlReply } from './pages/page-replies';
import { signingPageRoutes } from './pages/signing-page-routes';
import { videoIdentificationRoutes } from './pages/video-identification-routes';
import { ProviderRecords, StateConflictError, UnknownRecordError } from './provider-records';
import { SandboxLogger } from './sandbox-logger';
import { ReadingsBoard, ReadingsError } from './sandbox-readings';
import { SigningFlow, WrongSmsCodeError } from './signing-flow';
import { TlsHandshakeCounter } from './tls-handshakes';
import { InvalidPersonError, WebIdentificationFlow } from './web-identification-flow';

export interface PagesAppDependencies {
  relyingPartyId: string;
  records: ProviderRecords;
  mobile: MobileIdentificationFlow;
  web: WebIdentificationFlow;
  signing: SigningFlow;
  faults: FaultInjector;
  callbacks: CallbackDispatcher;
  readings: ReadingsBoard;
  tlsHandshakes: TlsHandshakeCounter;
  logger: SandboxLogger;
  /** Known only once both listeners are up. */
  urls: () => { apiBaseUrl: string; pagesBaseUrl: string };
}

/**
 * The browser-facing sites (video identification, document signing, the
 * simulated mobile app) and the control API for tests, over plain HTTP.
 * Person pages in src/sandbox/pages/, the control API per record kind in
 * src/sandbox/control/.
 */
export function buildPagesApp(deps: PagesAppDependencies): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const pagesBaseUrl = (): string => deps.urls().pagesBaseUrl;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Control calls without a body (most of them) may still say they are JSON.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    try {
      done(null, text === '' ? {} : JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The body is not JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = statusOf(error);
    if (status === 500) deps.logger.warn({ url: request.routeOptions.url, error: error.message }, 'sandbox page or control call failed');
    if (request.url.startsWith('/sandbox/')) return reply.code(status).send({ error: error.message });
    return reply.code(status).type('text/html').send(messagePage(status === 404 ? 'Not found' : 'Not possible', error.message));
  });

  app.get('/', async (_request, reply) => htmlReply(reply, 200, indexPage({ ...deps.urls(), relyingPartyId: deps.relyingPartyId })));
  app.register(videoIdentificationRoutes, { relyingPartyId: deps.relyingPartyId, web: deps.web });
  app.register(signingPageRoutes, { relyingPartyId: deps.relyingPartyId, records: deps.records, signing: deps.signing });
  app.register(mobileAppRoutes, { mobile: deps.mobile });

  app.register(sandboxStateControl, { records: deps.records, web: deps.web, signing: deps.signing, readings: deps.readings, pagesBaseUrl });
  app.register(mobileIdentificationControl, { mobile: deps.mobile, readings: deps.readings });
  app.register(webIdentificationControl, { web: deps.web, readings: deps.readings });
  app.register(signingControl, { signing: deps.signing, readings: deps.readings, pagesBaseUrl });
  app.register(apiTrafficControl, { faults: deps.faults, tlsHandshakes: deps.tlsHandshakes });
  app.register(callbackControl, { callbacks: deps.callbacks, web: deps.web, signing: deps.signing });
  return app;
}

function statusOf(error: Error & { statusCode?: number }): number {
  if (error instanceof UnknownRecordError) return 404;
  if (error instanceof StateConflictError) return 409;
  if (
    error instanceof InvalidPersonError ||
    error instanceof FaultDefinitionError ||
    error instanceof WrongSmsCodeError ||
    error instanceof ReadingsError ||
    error instanceof ControlRequestError
  ) {
    return 400;
  }
  return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
}
