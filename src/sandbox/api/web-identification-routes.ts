import { FastifyPluginAsync } from 'fastify';
import { parseRegistrationRequest, parseWebIdentificationStartRequest } from '../api-request-validation';
import { SIGNING_STATUS, WebIdentification, registrationStatusOf, webStatusOf } from '../provider-records';
import { badRequest, unknownId } from '../provider-refusal';
import { SandboxReadings } from '../sandbox-readings';
import { SigningFlow } from '../signing-flow';
import { WebIdentificationFlow } from '../web-identification-flow';
import { acceptedEnvelope, okEnvelope, providerDate } from '../wire-format';
import { languageOfRequest, resultIdOf } from './api-request';

interface WebIdentificationRoutesOptions {
  relyingPartyId: string;
  web: WebIdentificationFlow;
  /** Scenario 5's status answers for a signing's resultId too. */
  signing: SigningFlow;
}

/**
 * Scenario 2 — remote web identification: the web session (2.1), the
 * registration (2.2) and the result (2.5); scenario 4, the registration's
 * status; scenario 5, the status of a web identification or a signing.
 * (2.4, the webhook, is sent by the flow.)
 */
export const webIdentificationRoutes: FastifyPluginAsync<WebIdentificationRoutesOptions> = async (api, { relyingPartyId, web, signing }) => {
  api.post('/identification/web/websession/start', { config: { operation: 'startWebIdentification' } }, async (request, reply) => {
    const record = web.start(parseWebIdentificationStartRequest(request.body), new Date());
    return reply.send(
      acceptedEnvelope(
        {
          webSessionId: record.webSessionId,
          resultId: record.resultId,
          webSessionExpireDate: providerDate(record.webSessionExpireDate, record.readings.dates, 'utc-offset'),
        },
        'successfulOperation',
        languageOfRequest(request),
      ),
    );
  });

  api.post<{ Params: { webSessionId: string } }>(
    '/identification/web/sessions/by-otc-request/:webSessionId',
    { config: { operation: 'createRegistration' } },
    async (request, reply) => {
      const { record, registration } = web.createRegistration(request.params.webSessionId, parseRegistrationRequest(request.body), new Date());
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
        serviceName: `OTC_RELYING_PARTY_${relyingPartyId}`,
        otcRequestId: record.webSessionId,
      });
    },
  );

  api.get<{ Params: { registrationId: string } }>(
    '/identification/web/sessions/by-otc-request/:registrationId/status',
    { config: { operation: 'getRegistrationStatus' } },
    async (request, reply) => {
      const { record, registration } = web.registrationByRegistrationId(request.params.registrationId, new Date());
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
      const record = web.result(resultIdOf(request.params.resultId), processState, sessionId, metadataOnly, new Date());
      const certificate = metadataOnly ? undefined : web.certificateToSend(record);
      return reply.send(
        okEnvelope(
          {
            ...(certificate ? { eIDDocAsBase64: certificate.toString('base64') } : {}),
            ...identifiedPersonFields(record, record.readings.dates),
          },
          languageOfRequest(request),
        ),
      );
    },
  );

  api.get<{ Params: { resultId: string } }>(
    '/identification/web/:resultId/status',
    { config: { operation: 'getWebIdentificationStatus' } },
    async (request, reply) => {
      const resultId = resultIdOf(request.params.resultId);
      const record = web.byResultId(resultId, new Date());
      const signed = record ? undefined : signing.byResultId(resultId, new Date());
      const status = record ? webStatusOf(record) : signed ? SIGNING_STATUS[signed.state] : undefined;
      if (!status) throw unknownId('unknown resultId');
      return reply.send(okEnvelope(status, languageOfRequest(request)));
    },
  );
};

/** The identified person and the sign session to sign with next, as both 2.5 and 3.3 answer them. */
export function identifiedPersonFields(
  record: WebIdentification,
  dates: SandboxReadings['dates'],
): { clientIdentificator?: string; signSessionId?: string; signSessionIdExpireDate?: string } {
  return {
    clientIdentificator: record.clientIdentificator,
    signSessionId: record.signSession?.id,
    signSessionIdExpireDate: record.signSession && providerDate(record.signSession.expiresAt, dates, 'utc-offset'),
  };
}
