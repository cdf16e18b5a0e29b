import Fastify, { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  parseIdentificationRequest,
  parseRegistrationRequest,
  parseSignSessionStartRequest,
  parseWebIdentificationStartRequest,
} from './api-request-validation';
import { ApiOperation, FaultInjector } from './fault-injector';
import { MobileIdentificationFlow } from './mobile-identification-flow';
import { SIGNING_STATUS, registrationStatusOf, webStatusOf } from './provider-records';
import { ProviderRefusal, badRequest, unknownId } from './provider-refusal';
import { SandboxLogger } from './sandbox-logger';
import { SigningFlow } from './signing-flow';
import { WebIdentificationFlow } from './web-identification-flow';
import {
  Language,
  acceptedEnvelope,
  errorBody,
  languageOf,
  message,
  okEnvelope,
  providerDate,
} from './wire-format';

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

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: ApiOperation;
  }
}

const API_PREFIX = '/signing-api/v2';
// Base64 PDFs travel inside JSON; 1 MiB (Fastify's default) is far too small for real documents.
// The server's default signing limits (10 documents of 10 MiB) make a body of about 134 MiB.
const BODY_LIMIT_BYTES = 256 * 1024 * 1024;
const MALFORMED_JSON = '{"data":{"status":"IN_PROGRESS","responseCode":';

/**
 * The Signing API v2 over mutual TLS: only clients holding a certificate of
 * the sandbox CA complete the handshake, and every call must carry the
 * relying party id.
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
  const now = (): Date => new Date();
  const lang = (request: FastifyRequest): Language => languageOf(request.headers['accept-language']);

  app.addHook('onRequest', async (request, reply) => {
    const operation = request.routeOptions.config.operation;
    if (operation) {
      const fault = deps.faults.takeTransportFault(operation);
      if (fault) {
        deps.logger.info({ operation, fault: fault.kind }, 'sandbox fault injected');
        switch (fault.kind) {
          case 'http500':
            return reply.code(500).send(errorBody('ERROR', lang(request)));
          case 'http503':
            return reply
              .code(503)
              .type('text/html')
              .send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
          case 'malformed':
            return reply.code(200).type('application/json').send(MALFORMED_JSON);
          case 'reset':
            reply.hijack();
            request.raw.socket.destroy();
            return reply;
          case 'delay':
            await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
            break;
        }
      }
    }
    if (request.headers['relyingpartyid'] !== deps.relyingPartyId) {
      return reply.code(401).send(errorBody('UNAUTHORIZED', lang(request)));
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.logger.info(
      {
        operation: request.routeOptions.config.operation ?? 'unknown',
        method: request.method,
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime),
      },
      'sandbox api call',
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProviderRefusal) {
      deps.logger.warn(
        { operation: request.routeOptions.config.operation, statusCode: error.httpStatus, code: error.code, reason: error.reason },
        'sandbox api call refused',
      );
      return reply.code(error.httpStatus).send(errorBody(error.code, lang(request)));
    }
    // Fastify's own refusals (unparsable JSON, wrong content type, body too large) are malformed requests.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(400).send(errorBody('BAD_REQUEST', lang(request)));
    }
    deps.logger.warn({ operation: request.routeOptions.config.operation, error: error.message }, 'sandbox api call failed');
    return reply.code(500).send(errorBody('ERROR', lang(request)));
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('NOT_FOUND', lang(request))));

  app.register(
    async (api) => {
      api.post('/identification', { config: { operation: 'identification' } }, async (request, reply) => {
        const record = deps.mobile.start(parseIdentificationRequest(request.body), now());
        return reply.send(
          acceptedEnvelope(
            { callbackId: record.callbackId, validity: providerDate(record.validity, record.readings.dates, 'utc-offset') },
            'accepted',
            lang(request),
          ),
        );
      });

      api.get<{ Params: { callbackId: string } }>(
        '/identification/:callbackId',
        { config: { operation: 'getIdentificationResult' } },
        async (request, reply) => {
          const record = deps.mobile.poll(request.params.callbackId, now());
          if (record.state !== 'FINISHED' || !record.eidCertificatePdf) {
            // The document's quirk: no `data` wrapper while in progress.
            return reply.code(206).send({
              status: record.state,
              responseCode: 'OK',
              code: 'OK',
              message: message('executedSuccessfully', lang(request)),
            });
          }
          const certificate = deps.mobile.certificateToSend(record);
          return reply.send({
            data: {
              ...(certificate ? { content: certificate.toString('base64') } : {}),
              identification_before: 'BORICA',
              identification_reason: record.reason,
              identificator: record.identificator,
            },
            responseCode: 'GENERAL_OK',
            status: 'FINISHED',
            code: 'OK',
            message: message('successfulOperation', lang(request)),
          });
        },
      );

      api.post(
        '/identification/web/websession/start',
        { config: { operation: 'startWebIdentification' } },
        async (request, reply) => {
          const record = deps.web.start(parseWebIdentificationStartRequest(request.body), now());
          return reply.send(
            acceptedEnvelope(
              {
                webSessionId: record.webSessionId,
                resultId: record.resultId,
                webSessionExpireDate: providerDate(record.webSessionExpireDate, record.readings.dates, 'utc-offset'),
              },
              'successfulOperation',
              lang(request),
            ),
          );
        },
      );

      api.post<{ Params: { webSessionId: string } }>(
        '/identification/web/sessions/by-otc-request/:webSessionId',
        { config: { operation: 'createRegistration' } },
        async (request, reply) => {
          const { record, registration } = deps.web.createRegistration(
            request.params.webSessionId,
            parseRegistrationRequest(request.body),
            now(),
          );
          // Not enveloped, as in the document.
          return reply.send({
            userLanguage: registration.userLanguage,
            verifyEmailAddress: registration.verifyEmailAddress,
            verifyPhoneNumber: registration.verifyPhoneNumber,
            successUrl: registration.successUrl,
            cancelUrl: registration.cancelUrl,
            sessionId: registration.sessionId,
            registrationId: registration.registrationId,
            createdOn: providerDate(registration.createdOn, record.readings.dates, 'sofia-offset-microseconds'),
            expiredOn: providerDate(registration.expiredOn, record.readings.dates, 'sofia-offset-microseconds'),
            serviceName: `OTC_RELYING_PARTY_${deps.relyingPartyId}`,
            otcRequestId: record.webSessionId,
          });
        },
      );

      api.get<{ Params: { registrationId: string } }>(
        '/identification/web/sessions/by-otc-request/:registrationId/status',
        { config: { operation: 'getRegistrationStatus' } },
        async (request, reply) => {
          const { record, registration } = deps.web.registrationByRegistrationId(request.params.registrationId, now());
          const date = (value: Date | undefined): string | null =>
            value === undefined ? null : providerDate(value, record.readings.dates, 'utc-z');
          // Not enveloped, as in the document. Reading: dates not reached yet are null.
          return reply.send({
            createdOn: date(registration.createdOn),
            processedOn: date(registration.processedOn),
            registrationId: registration.registrationId,
            reviewStatus: registration.reviewStatus,
            reviewedOn: date(registration.reviewedOn),
            status: registrationStatusOf(record),
            ...(registration.userMessageBg ? { userMessageBg: registration.userMessageBg } : {}),
          });
        },
      );

      api.get<{ Params: { resultId: string; processState: string; sessionId: string; onlyMetadata: string } }>(
        '/identification/web/:resultId/result/:processState/:sessionId/:onlyMetadata',
        { config: { operation: 'getWebIdentificationResult' } },
        async (request, reply) => {
          const { processState, sessionId, onlyMetadata } = request.params;
          if (onlyMetadata !== 'true' && onlyMetadata !== 'false') throw badRequest('onlyMetadata is not true or false');
          const metadataOnly = onlyMetadata === 'true';
          const record = deps.web.result(resultIdOf(request.params.resultId), processState, sessionId, metadataOnly, now());
          const certificate = metadataOnly ? undefined : deps.web.certificateToSend(record);
          return reply.send(
            okEnvelope(
              {
                ...(certificate ? { eIDDocAsBase64: certificate.toString('base64') } : {}),
                clientIdentificator: record.clientIdentificator,
                signSessionId: record.signSession?.id,
                signSessionIdExpireDate: record.signSession && providerDate(record.signSession.expiresAt, record.readings.dates, 'utc-offset'),
              },
              lang(request),
            ),
          );
        },
      );

      api.get<{ Params: { resultId: string; processState: string; sessionId: string } }>(
        '/identification/web/:resultId/result/:processState/:sessionId',
        { config: { operation: 'getSignedDocuments' } },
        async (request, reply) => {
          const { processState, sessionId } = request.params;
          const { web, signing, documents } = await deps.signing.signedDocuments(
            resultIdOf(request.params.resultId),
            processState,
            sessionId,
            now(),
          );
          return reply.send(
            okEnvelope(
              {
                signDocuments: documents.map((document) => ({
                  filename: document.filename,
                  contentAsBase64: document.content.toString('base64'),
                })),
                clientIdentificator: web.clientIdentificator,
                signSessionId: web.signSession?.id,
                signSessionIdExpireDate: web.signSession && providerDate(web.signSession.expiresAt, signing.readings.dates, 'utc-offset'),
              },
              lang(request),
            ),
          );
        },
      );

      api.post('/identification/web/signsession/start', { config: { operation: 'startSignSession' } }, async (request, reply) => {
        const signing = await deps.signing.start(parseSignSessionStartRequest(request.body), now());
        return reply.send(
          okEnvelope(
            {
              clientDocumentUrl: deps.signingPageUrl(signing.pageToken),
              expireDate: providerDate(signing.expireDate, signing.readings.dates, 'utc-offset'),
              resultId: signing.resultId,
            },
            lang(request),
          ),
        );
      });

      api.get<{ Params: { resultId: string } }>(
        '/identification/web/:resultId/status',
        { config: { operation: 'getWebIdentificationStatus' } },
        async (request, reply) => {
          const resultId = resultIdOf(request.params.resultId);
          const web = deps.web.byResultId(resultId, now());
          const signing = web ? undefined : deps.signing.byResultId(resultId, now());
          const status = web ? webStatusOf(web) : signing ? SIGNING_STATUS[signing.state] : undefined;
          if (!status) throw unknownId('unknown resultId');
          return reply.send(okEnvelope(status, lang(request)));
        },
      );
    },
    { prefix: API_PREFIX },
  );
  return app;
}

function resultIdOf(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw badRequest('resultId is not a number');
  return Number(text);
}

