import type { BtrustError } from '../../src/btrust/btrust.errors';
import type { RegistrationStatus, WebIdentificationStatus } from '../../src/btrust/btrust.types';
import { CallbackEndpointRepository } from '../../src/callbacks/callback-endpoint.repository';
import { CallbackEndpointsService } from '../../src/callbacks/callback-endpoints.service';
import { WebIdentification } from '../../src/identification/web/web-identification.entity';
import { WebIdentificationRepository } from '../../src/identification/web/web-identification.repository';
import { WebIdentificationsService } from '../../src/identification/web/web-identifications.service';
import { noAnswer, providerAnswered } from '../support/fake-btrust-client';
import { useServiceModule } from '../support/service-module';
import {
  registrationAnswer as registration,
  resultAnswer as result,
  startWebIdentification,
  webStatusAnswer as webStatus,
} from '../support/service-web-identifications';

const OWNER = 'owner-of-the-web-identifications';
const HOUR_MS = 60 * 60 * 1000;
const GRACE_MS = 60_000;
const REVIEW_MAX_MS = 24 * HOUR_MS;
const CERTIFICATE_ATTEMPTS = 3;
const REGISTRATION = 'getRegistrationStatus';
const WEB_STATUS = 'getWebIdentificationStatus';
const RESULT = 'getWebIdentificationResult';
const CERTIFICATE = Buffer.from('%PDF-1.7 eID certificate');

/** What B-Trust says while the person is still at the video identification. */
const IN_PROGRESS = [registration('STARTED'), webStatus('ON_BOARDING', 'LOGIN')] as const;
/** What B-Trust says once an agent is reviewing the gathered data. */
const UNDER_REVIEW = [registration('COMPLETED', 'ALLOW_DENY'), webStatus('REGIX')] as const;
/** What B-Trust says once it approved the identification and created a sign session. */
const APPROVED = [registration('FINALIZED', 'ALLOWED'), webStatus('CREATE_SIGN_SESSION_REQUEST', 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED')] as const;

/** Answers of 4.1 or 5.1 that say nothing about the identification, named with the class the reading policy gives each. */
const noAnswers = (operation: typeof REGISTRATION | typeof WEB_STATUS): Array<[string, BtrustError]> => [
  ['404 (NOT_YET)', providerAnswered(operation, 404, 'NOT_FOUND')],
  ['400 REJECTED (NOT_YET)', providerAnswered(operation, 400, 'REJECTED')],
  ['500 (TRANSIENT)', providerAnswered(operation, 500, 'ERROR')],
  ['a timeout (TRANSIENT)', noAnswer(operation, 'ETIMEDOUT', true)],
  ['401 (CONFIGURATION_FAULT)', providerAnswered(operation, 401, 'REJECTED')],
  ['403 (CONFIGURATION_FAULT)', providerAnswered(operation, 403)],
];

/**
 * Reconciliation of a web identification with scenarios 4 and 5
 * (WebIdentificationsService.reconcile), and the fetch of its result (2.5),
 * on a real PostgreSQL, B-Trust faked at the port: each kind of progress
 * B-Trust can report, the bounds (the web session for STARTED, the review's
 * own for UNDER_REVIEW) and the answers that must end nothing.
 */
describe(`${WebIdentificationsService.name} reconciliation`, () => {
  const tier = useServiceModule({
    providers: [WebIdentificationsService, WebIdentificationRepository, CallbackEndpointsService, CallbackEndpointRepository],
    env: {
      BTRUST_DEADLINE_GRACE_MS: String(GRACE_MS),
      WEB_REVIEW_MAX_MS: String(REVIEW_MAX_MS),
      EID_CERTIFICATE_FETCH_ATTEMPTS: String(CERTIFICATE_ATTEMPTS),
      WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS: '0',
    },
  });
  const service = () => tier.get(WebIdentificationsService);
  const repository = () => tier.dataSource.getRepository(WebIdentification);
  beforeEach(() => tier.btrust.reset());

  /** A web identification as 2.1 and 2.2 leave it (STARTED), its web session ending `sessionEndsInMs` from now. */
  async function started(sessionEndsInMs: number): Promise<WebIdentification> {
    const { identification } = await startWebIdentification(tier, OWNER, sessionEndsInMs);
    expect(identification.status).toBe('STARTED');
    return identification;
  }

  /** UNDER_REVIEW, its review first seen `reviewStartedMsAgo` ago, its web session ended long before. */
  async function underReview(reviewStartedMsAgo: number): Promise<WebIdentification> {
    const identification = await started(-2 * HOUR_MS);
    answer(...UNDER_REVIEW);
    expect(await reconcile(identification)).toMatchObject({ status: 'UNDER_REVIEW' });
    await repository().update(identification.id, { reviewStartedAt: new Date(Date.now() - reviewStartedMsAgo) });
    tier.btrust.reset();
    return reload(identification);
  }

  /** IDENTIFIED, as an approval with the eID certificate leaves it. */
  async function identified(): Promise<WebIdentification> {
    const identification = await started(HOUR_MS);
    answer(...APPROVED);
    tier.btrust.answerNext(RESULT, result(CERTIFICATE));
    expect(await reconcile(identification)).toMatchObject({ status: 'IDENTIFIED' });
    tier.btrust.reset();
    return reload(identification);
  }

  /** Scripts one answer each of 4.1 and 5.1, which reconciliation asks in that order. */
  function answer(registrationAnswer: RegistrationStatus | BtrustError, webAnswer: WebIdentificationStatus | BtrustError): void {
    tier.btrust.answerNext(REGISTRATION, registrationAnswer).answerNext(WEB_STATUS, webAnswer);
  }

  const reload = (identification: WebIdentification) => repository().findOneByOrFail({ id: identification.id });

  /** Reconciles once from the stored record; resolves with the record as it is afterwards. */
  async function reconcile(identification: WebIdentification): Promise<WebIdentification> {
    await service().reconcile(await reload(identification), 'reconcile');
    return reload(identification);
  }

  it('keeps an identification in progress open, and records what B-Trust said', async () => {
    const identification = await started(HOUR_MS);
    answer(...IN_PROGRESS);
    await expect(service().reconcile(identification, 'reconcile')).resolves.toBeNull();
    expect(await reload(identification)).toMatchObject({
      status: 'STARTED',
      providerStatus: 'ON_BOARDING',
      providerStep: 'LOGIN',
      registrationStatus: 'STARTED',
      lastReconciledAt: expect.any(Date),
    });
    expect(tier.btrust.callsOf(REGISTRATION)).toEqual([[identification.registrationId, { language: 'bg' }]]);
    expect(tier.btrust.callsOf(WEB_STATUS)).toEqual([[identification.resultId, { language: 'bg' }]]);
  });

  it('ends an identification still in progress EXPIRED at the last ask past its web session (+ grace)', async () => {
    const identification = await started(-GRACE_MS - 1_000);
    answer(...IN_PROGRESS);
    expect(await reconcile(identification)).toMatchObject({ status: 'EXPIRED', failure: { code: 'EXPIRED' } });
    expect(tier.btrust.calls).toHaveLength(2);
  });

  it('keeps one in progress open within the grace after its web session', async () => {
    const identification = await started(-GRACE_MS / 2);
    answer(...IN_PROGRESS);
    expect(await reconcile(identification)).toMatchObject({ status: 'STARTED' });
  });

  it('moves it to UNDER_REVIEW once the agent reviews it, and notes when the review was first seen', async () => {
    const identification = await started(HOUR_MS);
    answer(...UNDER_REVIEW);
    const reviewed = await reconcile(identification);
    expect(reviewed).toMatchObject({ status: 'UNDER_REVIEW', reviewStatus: 'ALLOW_DENY', reviewStartedAt: expect.any(Date) });
  });

  describe('UNDER_REVIEW', () => {
    it.each([
      ['still under review', UNDER_REVIEW],
      ['in progress again by both answers', [registration('STARTED'), webStatus('ON_BOARDING', 'LOGIN')] as const],
      ['FINALIZE_REJECT, whatever scenario 5 says', [registration('COMPLETED', 'FINALIZE_REJECT'), webStatus('CREATE_SIGN_SESSION_REQUEST')] as const],
    ])('is not expired by its web session date: %s keeps it open', async (_name, answers) => {
      const identification = await underReview(HOUR_MS);
      answer(...answers);
      expect(await reconcile(identification)).toMatchObject({ status: 'UNDER_REVIEW', failure: { code: null } });
    });

    it('past WEB_REVIEW_MAX_MS (+ grace) asks once more and ends EXPIRED REVIEW_TIMED_OUT when the review is still open', async () => {
      const identification = await underReview(REVIEW_MAX_MS + GRACE_MS + 1_000);
      answer(...UNDER_REVIEW);
      expect(await reconcile(identification)).toMatchObject({ status: 'EXPIRED', failure: { code: 'REVIEW_TIMED_OUT' } });
      expect(tier.btrust.calls).toHaveLength(2);
    });

    it('past WEB_REVIEW_MAX_MS becomes IDENTIFIED when the last ask finds it approved', async () => {
      const identification = await underReview(REVIEW_MAX_MS + GRACE_MS + 1_000);
      answer(...APPROVED);
      tier.btrust.answerNext(RESULT, result(CERTIFICATE));
      expect(await reconcile(identification)).toMatchObject({ status: 'IDENTIFIED' });
    });
  });

  describe('approved', () => {
    it.each([
      ['FINALIZED / ALLOWED with a sign session', APPROVED],
      ['review ALLOWED alone', [registration('COMPLETED', 'ALLOWED'), webStatus('REGIX')] as const],
      ['a sign session under ALLOW_DENY', [registration('COMPLETED', 'ALLOW_DENY'), webStatus('SIGN_SESSION')] as const],
    ])('%s: fetches the result (2.5) and with the eID certificate is IDENTIFIED', async (_name, answers) => {
      const identification = await started(HOUR_MS);
      answer(...answers);
      tier.btrust.answerNext(RESULT, result(CERTIFICATE, 'first-sign-session'));
      expect(await reconcile(identification)).toMatchObject({
        status: 'IDENTIFIED',
        identifiedAt: expect.any(Date),
        clientIdentificator: 'client-identificator-1',
        signSessionId: 'first-sign-session',
        signSessionExpiresAt: expect.any(Date),
      });
      // The feature names no provider state: the client asks 2.5 for the identification's own result state.
      expect(tier.btrust.callsOf(RESULT)).toEqual([
        [
          { resultId: identification.resultId, sessionId: identification.webSessionId, onlyMetadata: false },
          { language: 'bg' },
        ],
      ]);
      await expect(service().certificate(OWNER, identification.id)).resolves.toEqual(CERTIFICATE);
    });

    it('without the eID certificate stays open and asks again, then ends FAILED EID_CERTIFICATE_MISSING after EID_CERTIFICATE_FETCH_ATTEMPTS answers', async () => {
      const identification = await started(HOUR_MS);
      for (let miss = 1; miss < CERTIFICATE_ATTEMPTS; miss++) {
        answer(...APPROVED);
        tier.btrust.answerNext(RESULT, result(null));
        expect(await reconcile(identification)).toMatchObject({ status: 'STARTED', eidCertificateMisses: miss });
      }
      answer(...APPROVED);
      tier.btrust.answerNext(RESULT, result(null));
      expect(await reconcile(identification)).toMatchObject({ status: 'FAILED', failure: { code: 'EID_CERTIFICATE_MISSING' } });
      expect(tier.btrust.callsOf(RESULT)).toHaveLength(CERTIFICATE_ATTEMPTS);
      await expect(service().certificate(OWNER, identification.id)).rejects.toMatchObject({ code: 'NOT_IDENTIFIED' });
    });

    it('with the certificate on a later answer, after a miss, is IDENTIFIED', async () => {
      const identification = await started(HOUR_MS);
      answer(...APPROVED);
      tier.btrust.answerNext(RESULT, result(null));
      expect(await reconcile(identification)).toMatchObject({ status: 'STARTED', eidCertificateMisses: 1 });
      answer(...APPROVED);
      tier.btrust.answerNext(RESULT, result(CERTIFICATE));
      expect(await reconcile(identification)).toMatchObject({ status: 'IDENTIFIED' });
    });
  });

  describe('IDENTIFIED', () => {
    it('becomes DENIED (IDENTIFICATION_DENIED) when an agent denies it after approving it', async () => {
      const identification = await identified();
      answer(registration('REJECTED', 'DENIED'), webStatus('SIGN_SESSION'));
      expect(await reconcile(identification)).toMatchObject({ status: 'DENIED', failure: { code: 'IDENTIFICATION_DENIED' } });
    });

    it('stays IDENTIFIED while B-Trust still approves it, and its result is not fetched again', async () => {
      const identification = await identified();
      answer(...APPROVED);
      expect(await reconcile(identification)).toMatchObject({ status: 'IDENTIFIED', signSessionId: identification.signSessionId });
      expect(tier.btrust.callsOf(RESULT)).toEqual([]);
    });
  });

  describe('failure steps end it FAILED with the step kept, never EXPIRED', () => {
    it.each([
      ['WEB_IDV_REGISTRATION_FAILED', HOUR_MS],
      ['UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', HOUR_MS],
      ['A_STEP_THE_DOCUMENT_DOES_NOT_NAME_FAILED', HOUR_MS],
      ['WEB_IDV_REGISTRATION_FAILED', -2 * HOUR_MS],
    ])('%s (web session ends in %d ms)', async (step, sessionEndsInMs) => {
      const identification = await started(sessionEndsInMs);
      // Beside an EXPIRED registration too: the step is the more precise word.
      answer(registration('EXPIRED'), webStatus('ON_BOARDING', step));
      expect(await reconcile(identification)).toMatchObject({ status: 'FAILED', failure: { code: step }, providerStep: step });
    });

    it('from UNDER_REVIEW past its review bound as well', async () => {
      const identification = await underReview(REVIEW_MAX_MS + GRACE_MS + 1_000);
      answer(registration('COMPLETED', 'ALLOW_DENY'), webStatus('REGIX', 'WEB_IDV_REGISTRATION_FAILED'));
      expect(await reconcile(identification)).toMatchObject({ status: 'FAILED', failure: { code: 'WEB_IDV_REGISTRATION_FAILED' } });
    });

    it('is REJECTED when the registration is REJECTED beside the step, the step still kept', async () => {
      const identification = await started(HOUR_MS);
      answer(registration('REJECTED'), webStatus('ON_BOARDING', 'WEB_IDV_REGISTRATION_FAILED'));
      expect(await reconcile(identification)).toMatchObject({ status: 'REJECTED', failure: { code: 'REJECTED' }, providerStep: 'WEB_IDV_REGISTRATION_FAILED' });
    });
  });

  it.each([
    ['the person cancelled', 'CANCELLED', [registration('STARTED'), webStatus('PROCESS_IS_CANCELED_BY_USER')]],
    ['the review DENIED it', 'REJECTED', [registration('COMPLETED', 'DENIED'), webStatus('REGIX')]],
    ['the registration is REJECTED', 'REJECTED', [registration('REJECTED'), webStatus('ON_BOARDING')]],
    ['the registration EXPIRED at B-Trust', 'EXPIRED', [registration('EXPIRED'), webStatus('ON_BOARDING')]],
  ] as const)("ends it on B-Trust's own word before any deadline: %s → %s", async (_name, status, answers) => {
    const identification = await started(HOUR_MS);
    answer(...answers);
    expect(await reconcile(identification)).toMatchObject({ status, failure: { code: status } });
  });

  describe('no answer about the identification ends nothing', () => {
    it.each(noAnswers(WEB_STATUS))('5.1 answering %s keeps STARTED open, before and past its web session', async (_name, failure) => {
      for (const sessionEndsInMs of [HOUR_MS, -2 * HOUR_MS]) {
        const identification = await started(sessionEndsInMs);
        answer(registration('STARTED'), failure);
        await expect(service().reconcile(identification, 'reconcile')).rejects.toBe(failure);
        expect(await reload(identification)).toMatchObject({ status: 'STARTED', failure: { code: null } });
      }
    });

    it.each(noAnswers(REGISTRATION))('4.1 answering %s keeps UNDER_REVIEW open past its review bound, and 5.1 is not asked on it', async (_name, failure) => {
      const identification = await underReview(REVIEW_MAX_MS + GRACE_MS + 1_000);
      tier.btrust.answerNext(REGISTRATION, failure);
      await expect(service().reconcile(identification, 'reconcile')).rejects.toBe(failure);
      expect(await reload(identification)).toMatchObject({ status: 'UNDER_REVIEW', failure: { code: null } });
      expect(tier.btrust.callsOf(WEB_STATUS)).toEqual([]);
    });

    it.each([
      ['500 (TRANSIENT)', providerAnswered(RESULT, 500, 'ERROR')],
      ['401 (CONFIGURATION_FAULT)', providerAnswered(RESULT, 401)],
      ['404 (NOT_YET)', providerAnswered(RESULT, 404, 'NOT_FOUND')],
    ])('2.5 answering %s after an approval keeps it open, with no certificate miss counted', async (_name, failure) => {
      const identification = await started(HOUR_MS);
      answer(...APPROVED);
      tier.btrust.answerNext(RESULT, failure);
      await expect(service().reconcile(identification, 'reconcile')).rejects.toBe(failure);
      expect(await reload(identification)).toMatchObject({ status: 'STARTED', eidCertificateMisses: 0 });
    });
  });
});
