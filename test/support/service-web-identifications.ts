import { randomUUID } from 'node:crypto';
import type { RegistrationStatus, WebIdentificationResult, WebIdentificationStatus } from '../../src/btrust/btrust.types';
import { WebIdentification } from '../../src/identification/web/web-identification.entity';
import { WebIdentificationsService } from '../../src/identification/web/web-identifications.service';
import type { ServiceModule } from './service-module';

const DAY_MS = 24 * 60 * 60 * 1000;

/** 4.1's answer. */
export const registrationAnswer = (status: string, reviewStatus: string | null = null): RegistrationStatus => ({
  registrationId: 'registration',
  status,
  reviewStatus,
  createdOn: null,
  processedOn: null,
  reviewedOn: null,
  userMessage: null,
});

/** 5.1's answer. */
export const webStatusAnswer = (status: string, step: string | null = null): WebIdentificationStatus => ({ status, step });

/** 2.5's answer, with or without the eID certificate. */
export const resultAnswer = (eidCertificatePdf: Buffer | null, signSessionId = 'sign-session-1'): WebIdentificationResult => ({
  eidCertificatePdf,
  clientIdentificator: 'client-identificator-1',
  signSessionId,
  signSessionExpiresAt: new Date(Date.now() + DAY_MS),
});

export interface StartedWebIdentification {
  identification: WebIdentification;
  /** The token of the callback URL the server gave B-Trust in 2.1. */
  callbackToken: string;
}

/**
 * A web identification as 2.1 and 2.2 leave it (STARTED), created by the
 * service with B-Trust's answers scripted, its web session ending
 * `sessionEndsInMs` from now. The fake's record of those calls is cleared.
 */
export async function startWebIdentification(tier: ServiceModule, owner: string, sessionEndsInMs: number): Promise<StartedWebIdentification> {
  const webSessionId = `web-session-${randomUUID()}`;
  const sessionEnds = new Date(Date.now() + sessionEndsInMs);
  tier.btrust
    .answerNext('startWebIdentification', { webSessionId, resultId: `result-${randomUUID()}`, expiresAt: sessionEnds })
    .answerNext('createRegistration', {
      sessionId: `registration-session-${webSessionId}`,
      registrationId: `registration-${webSessionId}`,
      status: 'STARTED',
      createdOn: new Date(),
      expiresOn: sessionEnds,
      otcRequestId: webSessionId,
      serviceName: null,
      userLanguage: 'bg',
    });
  const identification = await tier.get(WebIdentificationsService).create(
    owner,
    {
      reason: 'Opening an account',
      language: 'bg',
      verifyEmail: true,
      verifyPhone: true,
      showGtcGdp: true,
      showMainInfo: true,
      successUrl: `${tier.config.publicBaseUrl}/identified`,
      cancelUrl: `${tier.config.publicBaseUrl}/cancelled`,
    },
    'bg',
  );
  const [[{ callbackUrl }]] = tier.btrust.callsOf('startWebIdentification');
  tier.btrust.reset();
  return { identification, callbackToken: callbackUrl.split('/').pop()! };
}
