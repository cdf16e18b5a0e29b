import { FastifyPluginAsync } from 'fastify';
import { parseIdentificationRequest } from '../api-request-validation';
import { MobileIdentificationFlow } from '../mobile-identification-flow';
import { acceptedEnvelope, message, providerDate } from '../wire-format';
import { languageOfRequest } from './api-request';

/** Scenario 1 — remote identification with B-Trust MOBILE: the request (1.1) and its poll (1.2). */
export const mobileIdentificationRoutes: FastifyPluginAsync<{ mobile: MobileIdentificationFlow }> = async (api, { mobile }) => {
  api.post('/identification', { config: { operation: 'identification' } }, async (request, reply) => {
    const record = mobile.start(parseIdentificationRequest(request.body), new Date());
    return reply.send(
      acceptedEnvelope(
        { callbackId: record.callbackId, validity: providerDate(record.validity, record.readings.dates, 'utc-offset') },
        'accepted',
        languageOfRequest(request),
      ),
    );
  });

  api.get<{ Params: { callbackId: string } }>(
    '/identification/:callbackId',
    { config: { operation: 'getIdentificationResult' } },
    async (request, reply) => {
      const record = mobile.poll(request.params.callbackId, new Date());
      if (record.state !== 'FINISHED' || !record.eidCertificatePdf) {
        // The document's quirk: no `data` wrapper while in progress.
        return reply.code(206).send({
          status: record.state,
          responseCode: 'OK',
          code: 'OK',
          message: message('executedSuccessfully', languageOfRequest(request)),
        });
      }
      const certificate = mobile.certificateToSend(record);
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
        message: message('successfulOperation', languageOfRequest(request)),
      });
    },
  );
};
