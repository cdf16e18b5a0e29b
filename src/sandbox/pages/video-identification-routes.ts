import { FastifyPluginAsync } from 'fastify';
import { SAMPLE_PERSON } from '../person-identifiers';
import { WebIdentification } from '../provider-records';
import { InvalidPersonError, WebIdentificationFlow } from '../web-identification-flow';
import { utcWithOffset } from '../wire-format';
import { messagePage } from './html';
import { Form, htmlReply, redirect } from './page-replies';
import { videoIdentificationPage } from './video-identification-page';

/** The video identification site (2.3): the person approves, rejects or gives up, then goes back to the relying party. */
export const videoIdentificationRoutes: FastifyPluginAsync<{ relyingPartyId: string; web: WebIdentificationFlow }> = async (
  app,
  { relyingPartyId, web },
) => {
  const videoPage = (record: WebIdentification, form: Form, error?: string): string =>
    videoIdentificationPage({
      sessionId: record.registration?.sessionId ?? '',
      reason: record.reason,
      relyingPartyId,
      expiresAt: record.registration ? utcWithOffset(record.registration.expiredOn) : '',
      fullName: form.fullName ?? SAMPLE_PERSON.fullName,
      egn: form.egn ?? SAMPLE_PERSON.egn,
      error,
    });

  app.get<{ Params: { sessionId: string } }>('/session/:sessionId', async (request, reply) => {
    const record = web.byRegistrationSessionId(request.params.sessionId, new Date());
    if (record.state !== 'REGISTERED') {
      return htmlReply(reply, 200, messagePage('Video identification', `This identification is ${record.state.toLowerCase().replace('_', ' ')}.`));
    }
    return htmlReply(reply, 200, videoPage(record, {}));
  });

  app.post<{ Params: { sessionId: string }; Body: Form | undefined }>('/session/:sessionId/approve', async (request, reply) => {
    const record = web.byRegistrationSessionId(request.params.sessionId, new Date());
    const form = request.body ?? {};
    try {
      await web.approve(record, { fullName: form.fullName, egn: form.egn }, 'ALLOW_DENY', new Date());
    } catch (error) {
      if (error instanceof InvalidPersonError) return htmlReply(reply, 400, videoPage(record, form, error.message));
      throw error;
    }
    return redirect(reply, record.registration?.successUrl ?? '/');
  });

  app.post<{ Params: { sessionId: string } }>('/session/:sessionId/reject', async (request, reply) => {
    const record = web.reject(web.byRegistrationSessionId(request.params.sessionId, new Date()), new Date());
    return redirect(reply, record.registration?.cancelUrl ?? '/');
  });

  app.post<{ Params: { sessionId: string } }>('/session/:sessionId/cancel', async (request, reply) => {
    const record = web.cancel(web.byRegistrationSessionId(request.params.sessionId, new Date()), new Date());
    return redirect(reply, record.registration?.cancelUrl ?? '/');
  });
};
