import { FastifyPluginAsync } from 'fastify';
import { MobileIdentificationFlow } from '../mobile-identification-flow';
import { maskIdentifier } from '../person-identifiers';
import { utcWithOffset } from '../wire-format';
import { mobileAppPage } from './mobile-app-page';
import { Form, htmlReply, redirect } from './page-replies';

/** The simulated B-Trust MOBILE app (scenario 1): the person confirms or refuses a pending identification. */
export const mobileAppRoutes: FastifyPluginAsync<{ mobile: MobileIdentificationFlow }> = async (app, { mobile }) => {
  app.get('/mobile', async (_request, reply) =>
    htmlReply(
      reply,
      200,
      mobileAppPage(
        mobile.pending(new Date()).map((record) => ({
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
    await mobile.complete(request.params.callbackId, { fullName: request.body?.fullName }, new Date());
    return redirect(reply, '/mobile');
  });

  app.post<{ Params: { callbackId: string } }>('/mobile/:callbackId/reject', async (request, reply) => {
    mobile.reject(request.params.callbackId, new Date());
    return redirect(reply, '/mobile');
  });
};
