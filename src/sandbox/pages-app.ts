import Fastify, { FastifyInstance, FastifyReply } from 'fastify';
import { CallbackDispatcher } from './callback-dispatcher';
import { FaultDefinitionError, FaultInjector } from './fault-injector';
import { MobileIdentificationFlow } from './mobile-identification-flow';
import { indexPage } from './pages/index-page';
import { messagePage } from './pages/html';
import { mobileAppPage } from './pages/mobile-app-page';
import { signingPage } from './pages/signing-page';
import { videoIdentificationPage } from './pages/video-identification-page';
import { SAMPLE_PERSON, maskIdentifier } from './person-identifiers';
import {
  FAILURE_REGISTRATION_STATUSES,
  FailureRegistrationStatus,
  MobileIdentification,
  ProviderRecords,
  Signing,
  StateConflictError,
  UnknownRecordError,
  WEB_FAILURE_STEPS,
  WebFailureStep,
  WebIdentification,
  registrationStatusOf,
  webStatusOf,
} from './provider-records';
import { SandboxLogger } from './sandbox-logger';
import { ReadingsBoard, ReadingsError, SandboxReadings, parseReadings } from './sandbox-readings';
import { SigningFlow, WrongSmsCodeError } from './signing-flow';
import { TlsHandshakeCounter } from './tls-handshakes';
import { InvalidPersonError, ReviewDecision, ReviewOutcome, WebIdentificationFlow } from './web-identification-flow';
import { utcWithOffset } from './wire-format';

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

type Form = Record<string, string | undefined>;

/**
 * The browser-facing sites (video identification, document signing, the
 * simulated mobile app) and the control API for tests, over plain HTTP.
 */
export function buildPagesApp(deps: PagesAppDependencies): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const now = (): Date => new Date();

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

  registerPersonPages(app, deps, now);
  registerControlApi(app, deps, now);
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

function redirect(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).header('location', url).send();
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

function registerPersonPages(app: FastifyInstance, deps: PagesAppDependencies, now: () => Date): void {
  app.get('/', async (_request, reply) => html(reply, 200, indexPage({ ...deps.urls(), relyingPartyId: deps.relyingPartyId })));

  const videoPage = (record: WebIdentification, form: Form, error?: string): string =>
    videoIdentificationPage({
      sessionId: record.registration?.sessionId ?? '',
      reason: record.reason,
      relyingPartyId: deps.relyingPartyId,
      expiresAt: record.registration ? utcWithOffset(record.registration.expiredOn) : '',
      fullName: form.fullName ?? SAMPLE_PERSON.fullName,
      egn: form.egn ?? SAMPLE_PERSON.egn,
      error,
    });

  app.get<{ Params: { sessionId: string } }>('/session/:sessionId', async (request, reply) => {
    const record = deps.web.byRegistrationSessionId(request.params.sessionId, now());
    if (record.state !== 'REGISTERED') {
      return html(reply, 200, messagePage('Video identification', `This identification is ${record.state.toLowerCase().replace('_', ' ')}.`));
    }
    return html(reply, 200, videoPage(record, {}));
  });

  app.post<{ Params: { sessionId: string }; Body: Form | undefined }>('/session/:sessionId/approve', async (request, reply) => {
    const record = deps.web.byRegistrationSessionId(request.params.sessionId, now());
    const form = request.body ?? {};
    try {
      await deps.web.approve(record, { fullName: form.fullName, egn: form.egn }, 'ALLOW_DENY', now());
    } catch (error) {
      if (error instanceof InvalidPersonError) return html(reply, 400, videoPage(record, form, error.message));
      throw error;
    }
    return redirect(reply, record.registration?.successUrl ?? '/');
  });

  app.post<{ Params: { sessionId: string } }>('/session/:sessionId/reject', async (request, reply) => {
    const record = deps.web.reject(deps.web.byRegistrationSessionId(request.params.sessionId, now()), now());
    return redirect(reply, record.registration?.cancelUrl ?? '/');
  });

  app.post<{ Params: { sessionId: string } }>('/session/:sessionId/cancel', async (request, reply) => {
    const record = deps.web.cancel(deps.web.byRegistrationSessionId(request.params.sessionId, now()), now());
    return redirect(reply, record.registration?.cancelUrl ?? '/');
  });

  const signPage = (signing: Signing, error?: string): string =>
    signingPage({
      pageToken: signing.pageToken,
      relyingPartyId: deps.relyingPartyId,
      signerName: deps.records.webBySessionId.get(signing.webSessionId)?.person?.fullName ?? '',
      expiresAt: utcWithOffset(signing.expireDate),
      smsCode: signing.smsCode,
      documents: signing.documents,
      error,
    });

  app.get<{ Params: { token: string } }>('/cqes/api/web-identification/:token', async (request, reply) => {
    const signing = deps.signing.byPageToken(request.params.token, now());
    if (signing.state !== 'PENDING') {
      return html(reply, 200, messagePage('Sign documents', `This signing is ${signing.state.toLowerCase()}.`));
    }
    return html(reply, 200, signPage(signing));
  });

  app.get<{ Params: { token: string; index: string } }>('/cqes/api/web-identification/:token/documents/:index', async (request, reply) => {
    const signing = deps.signing.byPageToken(request.params.token, now());
    const document = /^\d+$/.test(request.params.index) ? signing.documents[Number(request.params.index)] : undefined;
    if (!document) throw new UnknownRecordError('document');
    return reply
      .type('application/pdf')
      .header('content-disposition', contentDisposition(document.fileName))
      .send(document.content);
  });

  app.post<{ Params: { token: string }; Body: Form | undefined }>('/cqes/api/web-identification/:token/sign', async (request, reply) => {
    const signing = deps.signing.byPageToken(request.params.token, now());
    try {
      await deps.signing.signWithSmsCode(signing, request.body?.smsCode ?? '', now());
    } catch (error) {
      if (error instanceof WrongSmsCodeError) return html(reply, 400, signPage(signing, error.message));
      throw error;
    }
    return redirect(reply, signing.successUrl);
  });

  app.post<{ Params: { token: string } }>('/cqes/api/web-identification/:token/reject', async (request, reply) => {
    const signing = deps.signing.reject(deps.signing.byPageToken(request.params.token, now()), now());
    return redirect(reply, signing.cancelUrl);
  });

  app.get('/mobile', async (_request, reply) =>
    html(
      reply,
      200,
      mobileAppPage(
        deps.mobile.pending(now()).map((record) => ({
          callbackId: record.callbackId,
          identifierType: record.identifierType,
          identifierMasked: maskIdentifier(record.identifierType, record.identifierValue),
          reason: record.reason,
          validity: utcWithOffset(record.validity),
          state: record.state,
        })),
      ),
    ),
  );

  app.post<{ Params: { callbackId: string }; Body: Form | undefined }>('/mobile/:callbackId/complete', async (request, reply) => {
    await deps.mobile.complete(request.params.callbackId, { fullName: request.body?.fullName }, now());
    return redirect(reply, '/mobile');
  });

  app.post<{ Params: { callbackId: string } }>('/mobile/:callbackId/reject', async (request, reply) => {
    deps.mobile.reject(request.params.callbackId, now());
    return redirect(reply, '/mobile');
  });
}

function registerControlApi(app: FastifyInstance, deps: PagesAppDependencies, now: () => Date): void {
  app.get('/sandbox/state', async () => ({
    mobileIdentifications: [...deps.records.mobile.values()].map((record) => mobileSummary(record)),
    webIdentifications: [...deps.records.webBySessionId.values()].map((record) => {
      deps.web.expireIfDue(record, now());
      return webSummary(record);
    }),
    signings: [...deps.records.signingByResultId.values()].map((signing) =>
      signingSummary(deps.signing.find(signing.resultId, now()), deps.urls().pagesBaseUrl),
    ),
  }));

  app.get('/sandbox/readings', async () => ({ readings: deps.readings.get() }));
  app.post<{ Body: unknown }>('/sandbox/readings', async (request) => ({ readings: deps.readings.merge(parseReadings(request.body ?? {})) }));
  app.delete('/sandbox/readings', async () => ({ readings: deps.readings.reset() }));

  // Per record: GET its readings, POST overrides from now on, DELETE back to the sandbox-wide ones.
  const perRecord: Array<{ path: string; show: (id: string) => object; set: (id: string, readings: Partial<SandboxReadings>) => object }> = [
    {
      path: '/sandbox/mobile-identifications/:id/readings',
      show: (id) => mobileSummary(deps.mobile.find(id), { withReadings: true }),
      set: (id, readings) => mobileSummary(deps.mobile.setReadings(id, readings), { withReadings: true }),
    },
    {
      path: '/sandbox/web-identifications/:id/readings',
      show: (id) => webSummary(deps.web.bySessionId(id), { withReadings: true }),
      set: (id, readings) => webSummary(deps.web.setReadings(id, readings), { withReadings: true }),
    },
    {
      path: '/sandbox/signings/:id/readings',
      show: (id) => signingSummary(deps.signing.find(resultIdOf(id), now()), deps.urls().pagesBaseUrl, { withReadings: true }),
      set: (id, readings) => signingSummary(deps.signing.setReadings(resultIdOf(id), readings), deps.urls().pagesBaseUrl, { withReadings: true }),
    },
  ];
  for (const { path, show, set } of perRecord) {
    app.get<{ Params: { id: string } }>(path, async (request) => show(request.params.id));
    app.post<{ Params: { id: string }; Body: unknown }>(path, async (request) => set(request.params.id, parseReadings(request.body ?? {})));
    app.delete<{ Params: { id: string } }>(path, async (request) => set(request.params.id, deps.readings.get()));
  }

  app.post<{ Params: { callbackId: string; action: string }; Body: Form | undefined }>(
    '/sandbox/mobile-identifications/:callbackId/:action',
    async (request) => {
      const { callbackId, action } = request.params;
      const record =
        action === 'complete'
          ? await deps.mobile.complete(callbackId, { fullName: request.body?.fullName }, now())
          : action === 'reject'
            ? deps.mobile.reject(callbackId, now())
            : action === 'expire'
              ? deps.mobile.expire(callbackId, now())
              : unknownAction(action);
      return { callbackId: record.callbackId, state: record.state };
    },
  );

  app.post<{ Params: { webSessionId: string; action: string }; Body: Record<string, unknown> | undefined }>(
    '/sandbox/web-identifications/:webSessionId/:action',
    async (request) => {
      const record = deps.web.bySessionId(request.params.webSessionId);
      const body = request.body ?? {};
      switch (request.params.action) {
        case 'approve':
          await deps.web.approve(
            record,
            { fullName: optionalString(body, 'fullName'), egn: optionalString(body, 'egn') },
            reviewOutcomeOf(optionalString(body, 'reviewStatus')),
            now(),
          );
          break;
        case 'reject':
          deps.web.reject(record, now());
          break;
        case 'cancel':
          deps.web.cancel(record, now());
          break;
        case 'expire':
          deps.web.expire(record, now());
          break;
        case 'review':
          deps.web.review(record, oneOf<ReviewDecision>(body, 'decision', ['ALLOWED', 'DENIED']), now());
          break;
        case 'deny':
          deps.web.deny(record, now());
          break;
        case 'fail':
          deps.web.fail(
            record,
            {
              step: oneOf<WebFailureStep>(body, 'step', WEB_FAILURE_STEPS),
              registrationStatus:
                body.registrationStatus === undefined
                  ? undefined
                  : oneOf<FailureRegistrationStatus>(body, 'registrationStatus', FAILURE_REGISTRATION_STATUSES),
            },
            now(),
          );
          break;
        default:
          unknownAction(request.params.action);
      }
      return webSummary(record);
    },
  );

  app.post<{ Params: { resultId: string; action: string } }>('/sandbox/signings/:resultId/:action', async (request) => {
    const signing = deps.signing.find(resultIdOf(request.params.resultId), now());
    switch (request.params.action) {
      case 'sign':
        await deps.signing.sign(signing, now());
        break;
      case 'reject':
        deps.signing.reject(signing, now());
        break;
      case 'expire':
        deps.signing.expire(signing);
        break;
      default:
        unknownAction(request.params.action);
    }
    return signingSummary(signing, deps.urls().pagesBaseUrl);
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/sandbox/faults', async (request) => deps.faults.arm(request.body ?? {}));
  app.get('/sandbox/faults', async () => ({ faults: deps.faults.armedFaults() }));
  app.delete('/sandbox/faults', async () => {
    deps.faults.clear();
    return { faults: [] };
  });

  app.get('/sandbox/calls', async () => deps.faults.callCounts());
  app.delete('/sandbox/calls', async () => {
    deps.faults.resetCallCounts();
    return deps.faults.callCounts();
  });

  app.get('/sandbox/tls', async () => ({ handshakes: deps.tlsHandshakes.count() }));
  app.delete('/sandbox/tls', async () => {
    deps.tlsHandshakes.reset();
    return { handshakes: 0 };
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/sandbox/callbacks/knobs', async (request) => {
    const body = request.body ?? {};
    const knobs: Record<string, number> = {};
    for (const name of ['duplicate', 'drop', 'reorder'] as const) {
      const value = body[name];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || (value as number) < 0) {
        throw new FaultDefinitionError(`${name} must be a whole number of callbacks, 0 or more`);
      }
      knobs[name] = value as number;
    }
    return deps.callbacks.setKnobs(knobs);
  });
  app.get('/sandbox/callbacks/deliveries', async () => ({ deliveries: deps.callbacks.recordedDeliveries() }));
  app.delete('/sandbox/callbacks/deliveries', async () => {
    deps.callbacks.clearDeliveries();
    return { deliveries: [] };
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/sandbox/callbacks/send', async (request) => {
    const body = request.body ?? {};
    const overrides = { processState: wireWord(body, 'processState'), code: wireWord(body, 'code') };
    if ((body.webSessionId === undefined) === (body.resultId === undefined)) {
      throw new ControlRequestError('give one of webSessionId (a web identification) or resultId (a web identification or a signing)');
    }
    if (body.webSessionId !== undefined) {
      return { sent: deps.web.sendWebhook(deps.web.bySessionId(String(body.webSessionId)), overrides) };
    }
    const resultId = resultIdOf(String(body.resultId));
    const web = deps.web.byResultId(resultId, now());
    return { sent: web ? deps.web.sendWebhook(web, overrides) : deps.signing.sendWebhook(deps.signing.find(resultId, now()), overrides) };
  });
  app.post<{ Body: Record<string, unknown> | undefined }>('/sandbox/callbacks/repeat', async (request) => {
    const body = request.body ?? {};
    const which = {
      requestId: body.requestId === undefined ? undefined : resultIdOf(String(body.requestId), 'requestId'),
      resultId: body.resultId === undefined ? undefined : resultIdOf(String(body.resultId)),
    };
    const sent = deps.callbacks.repeat(which);
    if (!sent) throw new UnknownRecordError('webhook sent before (this sandbox keeps the last 1000 since it started)');
    return { sent };
  });
}

class ControlRequestError extends Error {}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || typeof value === 'string') return value;
  throw new ControlRequestError(`${field} must be a string`);
}

function oneOf<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[]): T {
  const value = body[field];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ControlRequestError(`${field} must be one of ${allowed.join(', ')}`);
}

/** A provider word forced into a webhook (`processState`, `code`): upper-case letters and underscores. */
function wireWord(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(value)) return value;
  throw new ControlRequestError(`${field} must be a provider word such as SIGN_SESSION (A-Z and _)`);
}

function resultIdOf(text: string, field = 'resultId'): number {
  if (!/^\d{1,15}$/.test(text)) throw new ControlRequestError(`${field} must be a number`);
  return Number(text);
}

function mobileSummary(record: MobileIdentification, options: { withReadings?: boolean } = {}): Record<string, unknown> {
  return {
    callbackId: record.callbackId,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    validity: record.validity.toISOString(),
    ...(options.withReadings ? { readings: record.readings } : {}),
  };
}

function webSummary(record: WebIdentification, options: { withReadings?: boolean } = {}): Record<string, unknown> {
  return {
    webSessionId: record.webSessionId,
    resultId: record.resultId,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    registrationId: record.registration?.registrationId,
    sessionId: record.registration?.sessionId,
    registrationStatus: record.registration ? registrationStatusOf(record) : undefined,
    reviewStatus: record.registration?.reviewStatus,
    ...webStatusOf(record),
    clientIdentificator: record.clientIdentificator,
    signSessionId: record.signSession?.id,
    signSessionExpireDate: record.signSession?.expiresAt.toISOString(),
    // Lets a test post its own (forged or repeated) callbacks to the relying party's URL.
    requestCallbackPath: new URL(record.requestCallbackUrl).pathname,
    ...(options.withReadings ? { readings: record.readings } : {}),
  };
}

function signingSummary(signing: Signing, pagesBaseUrl: string, options: { withReadings?: boolean } = {}): Record<string, unknown> {
  return {
    resultId: signing.resultId,
    signSessionId: signing.signSessionId,
    webSessionId: signing.webSessionId,
    state: signing.state,
    createdAt: signing.createdAt.toISOString(),
    smsCode: signing.smsCode,
    clientDocumentUrl: signingPageUrl(pagesBaseUrl, signing.pageToken),
    documentCount: signing.documents.length,
    expireDate: signing.expireDate.toISOString(),
    ...(options.withReadings ? { readings: signing.readings } : {}),
  };
}

export function signingPageUrl(pagesBaseUrl: string, pageToken: string): string {
  return `${pagesBaseUrl}/cqes/api/web-identification/${pageToken}`;
}

function reviewOutcomeOf(value: string | undefined): ReviewOutcome {
  if (value === undefined || value === 'ALLOW_DENY') return 'ALLOW_DENY';
  if (value === 'ALLOWED') return 'ALLOWED';
  throw new InvalidPersonError('reviewStatus must be ALLOW_DENY or ALLOWED');
}

function unknownAction(action: string): never {
  throw Object.assign(new Error(`Unknown action "${action}"`), { statusCode: 404 });
}

/** RFC 6266 with an RFC 8187 UTF-8 form, since file names may be Cyrillic. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
