import { FastifyPluginAsync } from 'fastify';
import { MobileIdentificationFlow } from '../mobile-identification-flow';
import { MobileIdentification } from '../provider-records';
import { ReadingsBoard } from '../sandbox-readings';
import { unknownAction } from './control-request';
import { registerRecordReadings } from './record-readings';

/** A test plays the person's part in a mobile identification, or lets it expire, and sets the readings it is answered with. */
export const mobileIdentificationControl: FastifyPluginAsync<{ mobile: MobileIdentificationFlow; readings: ReadingsBoard }> = async (
  app,
  { mobile, readings },
) => {
  registerRecordReadings(app, '/sandbox/mobile-identifications/:id/readings', readings, {
    show: (id) => mobileSummary(mobile.find(id), { withReadings: true }),
    set: (id, overrides) => mobileSummary(mobile.setReadings(id, overrides), { withReadings: true }),
  });

  app.post<{ Params: { callbackId: string; action: string }; Body: { fullName?: string } | undefined }>(
    '/sandbox/mobile-identifications/:callbackId/:action',
    async (request) => {
      const { callbackId, action } = request.params;
      const record =
        action === 'complete'
          ? await mobile.complete(callbackId, { fullName: request.body?.fullName }, new Date())
          : action === 'reject'
            ? mobile.reject(callbackId, new Date())
            : action === 'expire'
              ? mobile.expire(callbackId, new Date())
              : unknownAction(action);
      return { callbackId: record.callbackId, state: record.state };
    },
  );
};

export function mobileSummary(record: MobileIdentification, options: { withReadings?: boolean } = {}): Record<string, unknown> {
  return {
    callbackId: record.callbackId,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    validity: record.validity.toISOString(),
    ...(options.withReadings ? { readings: record.readings } : {}),
  };
}
