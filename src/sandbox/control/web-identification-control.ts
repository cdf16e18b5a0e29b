import { FastifyPluginAsync } from 'fastify';
import {
  FAILURE_REGISTRATION_STATUSES,
  FailureRegistrationStatus,
  WEB_FAILURE_STEPS,
  WebFailureStep,
  WebIdentification,
  registrationStatusOf,
  webStatusOf,
} from '../provider-records';
import { ReadingsBoard } from '../sandbox-readings';
import { InvalidPersonError, ReviewDecision, ReviewOutcome, WebIdentificationFlow } from '../web-identification-flow';
import { ControlBody, oneOf, optionalString, unknownAction } from './control-request';
import { registerRecordReadings } from './record-readings';

/**
 * A test plays the person's and the agent's parts in a web identification
 * (approve, reject, cancel, review, deny, fail), or lets it expire, and sets
 * the readings it is answered with.
 */
export const webIdentificationControl: FastifyPluginAsync<{ web: WebIdentificationFlow; readings: ReadingsBoard }> = async (
  app,
  { web, readings },
) => {
  registerRecordReadings(app, '/sandbox/web-identifications/:id/readings', readings, {
    show: (id) => webSummary(web.bySessionId(id), { withReadings: true }),
    set: (id, overrides) => webSummary(web.setReadings(id, overrides), { withReadings: true }),
  });

  app.post<{ Params: { webSessionId: string; action: string }; Body: ControlBody | undefined }>(
    '/sandbox/web-identifications/:webSessionId/:action',
    async (request) => {
      const record = web.bySessionId(request.params.webSessionId);
      const body = request.body ?? {};
      switch (request.params.action) {
        case 'approve':
          await web.approve(
            record,
            { fullName: optionalString(body, 'fullName'), egn: optionalString(body, 'egn') },
            reviewOutcomeOf(optionalString(body, 'reviewStatus')),
            new Date(),
          );
          break;
        case 'reject':
          web.reject(record, new Date());
          break;
        case 'cancel':
          web.cancel(record, new Date());
          break;
        case 'expire':
          web.expire(record, new Date());
          break;
        case 'review':
          web.review(record, oneOf<ReviewDecision>(body, 'decision', ['ALLOWED', 'DENIED']), new Date());
          break;
        case 'deny':
          web.deny(record, new Date());
          break;
        case 'fail':
          web.fail(
            record,
            {
              step: oneOf<WebFailureStep>(body, 'step', WEB_FAILURE_STEPS),
              registrationStatus:
                body.registrationStatus === undefined
                  ? undefined
                  : oneOf<FailureRegistrationStatus>(body, 'registrationStatus', FAILURE_REGISTRATION_STATUSES),
            },
            new Date(),
          );
          break;
        default:
          unknownAction(request.params.action);
      }
      return webSummary(record);
    },
  );
};

export function webSummary(record: WebIdentification, options: { withReadings?: boolean } = {}): Record<string, unknown> {
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

function reviewOutcomeOf(value: string | undefined): ReviewOutcome {
  if (value === undefined || value === 'ALLOW_DENY') return 'ALLOW_DENY';
  if (value === 'ALLOWED') return 'ALLOWED';
  throw new InvalidPersonError('reviewStatus must be ALLOW_DENY or ALLOWED');
}
