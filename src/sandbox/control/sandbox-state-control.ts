import { FastifyPluginAsync } from 'fastify';
import { ProviderRecords } from '../provider-records';
import { ReadingsBoard, parseReadings } from '../sandbox-readings';
import { SigningFlow } from '../signing-flow';
import { WebIdentificationFlow } from '../web-identification-flow';
import { mobileSummary } from './mobile-identification-control';
import { signingSummary } from './signing-control';
import { webSummary } from './web-identification-control';

interface SandboxStateControlOptions {
  records: ProviderRecords;
  web: WebIdentificationFlow;
  signing: SigningFlow;
  readings: ReadingsBoard;
  /** Known only once both listeners are up. */
  pagesBaseUrl: () => string;
}

/** Every record the sandbox holds, and the sandbox-wide readings new records are answered with. */
export const sandboxStateControl: FastifyPluginAsync<SandboxStateControlOptions> = async (
  app,
  { records, web, signing, readings, pagesBaseUrl },
) => {
  app.get('/sandbox/state', async () => ({
    mobileIdentifications: [...records.mobile.values()].map((record) => mobileSummary(record)),
    webIdentifications: [...records.webBySessionId.values()].map((record) => {
      web.expireIfDue(record, new Date());
      return webSummary(record);
    }),
    signings: [...records.signingByResultId.values()].map((record) => signingSummary(signing.find(record.resultId, new Date()), pagesBaseUrl())),
  }));

  app.get('/sandbox/readings', async () => ({ readings: readings.get() }));
  app.post<{ Body: unknown }>('/sandbox/readings', async (request) => ({ readings: readings.merge(parseReadings(request.body ?? {})) }));
  app.delete('/sandbox/readings', async () => ({ readings: readings.reset() }));
};
