import { FastifyPluginAsync } from 'fastify';
import { signingPageUrl } from '../pages/signing-page-routes';
import { Signing } from '../provider-records';
import { ReadingsBoard } from '../sandbox-readings';
import { SigningFlow } from '../signing-flow';
import { numericIdIn, unknownAction } from './control-request';
import { registerRecordReadings } from './record-readings';

interface SigningControlOptions {
  signing: SigningFlow;
  readings: ReadingsBoard;
  /** Known only once both listeners are up. */
  pagesBaseUrl: () => string;
}

/** A test signs or rejects in the person's place, or lets the signing expire, and sets the readings it is answered with. */
export const signingControl: FastifyPluginAsync<SigningControlOptions> = async (app, { signing, readings, pagesBaseUrl }) => {
  registerRecordReadings(app, '/sandbox/signings/:id/readings', readings, {
    show: (id) => signingSummary(signing.find(numericIdIn(id), new Date()), pagesBaseUrl(), { withReadings: true }),
    set: (id, overrides) => signingSummary(signing.setReadings(numericIdIn(id), overrides), pagesBaseUrl(), { withReadings: true }),
  });

  app.post<{ Params: { resultId: string; action: string } }>('/sandbox/signings/:resultId/:action', async (request) => {
    const record = signing.find(numericIdIn(request.params.resultId), new Date());
    switch (request.params.action) {
      case 'sign':
        await signing.sign(record, new Date());
        break;
      case 'reject':
        signing.reject(record, new Date());
        break;
      case 'expire':
        signing.expire(record);
        break;
      default:
        unknownAction(request.params.action);
    }
    return signingSummary(record, pagesBaseUrl());
  });
};

export function signingSummary(record: Signing, pagesBaseUrl: string, options: { withReadings?: boolean } = {}): Record<string, unknown> {
  return {
    resultId: record.resultId,
    signSessionId: record.signSessionId,
    webSessionId: record.webSessionId,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    smsCode: record.smsCode,
    clientDocumentUrl: signingPageUrl(pagesBaseUrl, record.pageToken),
    documentCount: record.documents.length,
    expireDate: record.expireDate.toISOString(),
    ...(options.withReadings ? { readings: record.readings } : {}),
  };
}
