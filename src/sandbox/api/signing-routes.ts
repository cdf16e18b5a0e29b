import { FastifyPluginAsync } from 'fastify';
import { parseSignSessionStartRequest } from '../api-request-validation';
import { SigningFlow } from '../signing-flow';
import { okEnvelope, providerDate } from '../wire-format';
import { languageOfRequest, resultIdOf } from './api-request';
import { identifiedPersonFields } from './web-identification-routes';

interface SigningRoutesOptions {
  signing: SigningFlow;
  /** Known only once the pages listener is up. */
  signingPageUrl: (pageToken: string) => string;
}

/**
 * Scenario 3 — signing with a one-time certificate: the sign session (3.1)
 * and the signed documents (3.3). (3.2, the webhook, is sent by the flow.)
 */
export const signingRoutes: FastifyPluginAsync<SigningRoutesOptions> = async (api, { signing, signingPageUrl }) => {
  api.post('/identification/web/signsession/start', { config: { operation: 'startSignSession' } }, async (request, reply) => {
    const started = await signing.start(parseSignSessionStartRequest(request.body), new Date());
    return reply.send(
      okEnvelope(
        {
          clientDocumentUrl: signingPageUrl(started.pageToken),
          expireDate: providerDate(started.expireDate, started.readings.dates, 'utc-offset'),
          resultId: started.resultId,
        },
        languageOfRequest(request),
      ),
    );
  });

  api.get<{ Params: { resultId: string; processState: string; sessionId: string } }>(
    '/identification/web/:resultId/result/:processState/:sessionId',
    { config: { operation: 'getSignedDocuments' } },
    async (request, reply) => {
      const { processState, sessionId } = request.params;
      const signed = await signing.signedDocuments(resultIdOf(request.params.resultId), processState, sessionId, new Date());
      return reply.send(
        okEnvelope(
          {
            signDocuments: signed.documents.map((document) => ({
              filename: document.filename,
              contentAsBase64: document.content.toString('base64'),
            })),
            ...identifiedPersonFields(signed.web, signed.signing.readings.dates),
          },
          languageOfRequest(request),
        ),
      );
    },
  );
};
