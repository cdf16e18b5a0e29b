import { CallbackHandlers } from '../../src/callbacks/callback-handlers';
import type { CallbackInboxEntry } from '../../src/callbacks/callback-inbox.entity';
import { CallbackInboxService } from '../../src/callbacks/callback-inbox.service';
import { CallbackProcessor } from '../../src/callbacks/callback-processor';
import { WebIdentification } from '../../src/identification/web/web-identification.entity';
import { moveWebIdentification } from '../../src/identification/web/web-identification.state';
import { WebIdentificationCallbacks } from '../../src/identification/web/web-identification-callbacks';
import { WebIdentificationsService } from '../../src/identification/web/web-identifications.service';
import { JobsModule } from '../../src/jobs/jobs.module';
import { SigningCallbacks } from '../../src/signing/signing-callbacks';
import { Signing } from '../../src/signing/signing.entity';
import { SigningCreationService } from '../../src/signing/signing-creation.service';
import { pdf } from '../signing/signing-support';
import { providerAnswered } from '../support/fake-btrust-client';
import { eventually } from '../support/sandbox-control';
import { useServiceModule } from '../support/service-module';
import { SIGNING_PROVIDERS, signedDocumentsAnswer, signedFrom, signingRequest } from '../support/service-signings';
import {
  registrationAnswer as registration,
  resultAnswer as result,
  startWebIdentification,
  webStatusAnswer as webStatus,
} from '../support/service-web-identifications';

const OWNER = 'owner-of-the-webhooks';
const HOUR_MS = 60 * 60 * 1000;
const CERTIFICATE = Buffer.from('%PDF-1.7 eID certificate');
const IDENTIFICATION_READY = 'CREATE_SIGN_SESSION_REQUEST';
const SIGNING_READY = 'SIGN_SESSION';

type InboxRow = Pick<CallbackInboxEntry, 'outcome' | 'outcomeDetail' | 'sessionIdMatch' | 'duplicates'>;

/**
 * What the features make of a stored webhook (WebIdentificationCallbacks,
 * SigningCallbacks, routed by CallbackProcessor from the inbox) on a real
 * PostgreSQL and pg-boss, B-Trust faked at the port: a webhook is tied to its
 * flow by its URL's token and its resultId, only B-Trust's answer moves the
 * flow, the sessionId is recorded as whichever of the flow's ids it is, and
 * a repeat delivery is processed once.
 */
describe('Webhook handling by the identification and signing features', () => {
  const tier = useServiceModule({
    imports: [JobsModule],
    providers: [
      CallbackInboxService,
      CallbackHandlers,
      CallbackProcessor,
      WebIdentificationCallbacks,
      SigningCallbacks,
      ...SIGNING_PROVIDERS,
    ],
  });
  const inbox = () => tier.get(CallbackInboxService);
  beforeEach(() => tier.btrust.reset());

  let requestId = 1_000;
  /** A webhook as B-Trust posts it (2.4, 3.2). */
  const webhook = (processState: string, ids: { sessionId: string; resultId: string }, code = 'OK') => ({
    code,
    message: 'The request has been executed successfully.',
    requestId: ++requestId,
    relyingPartyId: 24102167,
    data: { processState, ...ids, dataMessage: `The request with resultID ${ids.resultId} completed` },
  });

  /** Delivers a webhook to the callback URL of `token` and waits until its job has recorded an outcome. */
  async function deliver(token: string, body: ReturnType<typeof webhook>): Promise<InboxRow> {
    expect(await inbox().receive(token, body)).toEqual({ status: 'accepted' });
    return processed(body);
  }

  const inboxRow = async (body: ReturnType<typeof webhook>): Promise<InboxRow> => {
    const [row]: InboxRow[] = await tier.dataSource.query(
      `SELECT outcome, outcome_detail AS "outcomeDetail", session_id_match AS "sessionIdMatch", duplicates
         FROM callback_inbox WHERE request_id = $1`,
      [String(body.requestId)],
    );
    return row;
  };
  const processed = (body: ReturnType<typeof webhook>) => eventually(() => inboxRow(body), (row) => row?.outcome !== 'PENDING', 15_000);

  const reload = (identification: WebIdentification) => tier.dataSource.getRepository(WebIdentification).findOneByOrFail({ id: identification.id });

  describe('identification webhooks (2.4)', () => {
    it('fetches the announced result (2.5) and makes the identification IDENTIFIED, the webhook APPLIED', async () => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      tier.btrust.answerNext('getWebIdentificationResult', result(CERTIFICATE));
      const row = await deliver(callbackToken, webhook(IDENTIFICATION_READY, { sessionId: identification.webSessionId!, resultId: identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'APPLIED', sessionIdMatch: 'WEB_SESSION' });
      expect(await reload(identification)).toMatchObject({ status: 'IDENTIFIED' });
      expect(tier.btrust.calls.map((call) => call.operation)).toEqual(['getWebIdentificationResult']);
    });

    it.each([
      ['the registration session (2.2)', 'REGISTRATION_SESSION', (identification: WebIdentification) => identification.registrationSessionId!],
      ['the sign session 2.5 hands out', 'SIGN_SESSION_HANDED', () => 'sign-session-of-the-result'],
      ['none of the flow\'s ids', 'NONE', () => 'a-session-id-nobody-issued'],
    ] as const)('takes a webhook whose sessionId is %s, tied by its resultId, and records it as %s', async (_name, match, sessionIdOf) => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      tier.btrust.answerNext('getWebIdentificationResult', result(CERTIFICATE, 'sign-session-of-the-result'));
      const row = await deliver(callbackToken, webhook(IDENTIFICATION_READY, { sessionId: sessionIdOf(identification), resultId: identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'APPLIED', sessionIdMatch: match });
      expect(await reload(identification)).toMatchObject({ status: 'IDENTIFIED' });
    });

    it('asks where the process stands (4.1, 5.1), not for the result, on any other processState', async () => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      tier.btrust.answerNext('getRegistrationStatus', registration('STARTED')).answerNext('getWebIdentificationStatus', webStatus('PROCESS_IS_CANCELED_BY_USER'));
      const row = await deliver(callbackToken, webhook('A_STATE_THE_DOCUMENT_DOES_NOT_NAME', { sessionId: identification.webSessionId!, resultId: identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'APPLIED' });
      expect(await reload(identification)).toMatchObject({ status: 'CANCELLED' });
      expect(tier.btrust.callsOf('getWebIdentificationResult')).toEqual([]);
    });

    it.each([
      ['the result is announced but 2.5 has none (404)', IDENTIFICATION_READY, 'OK'],
      ['its code is REJECTED', IDENTIFICATION_READY, 'REJECTED'],
    ])('asks where the process stands when %s, and a REJECTED hint alone ends nothing', async (_name, processState, code) => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      if (code === 'OK') tier.btrust.answerNext('getWebIdentificationResult', providerAnswered('getWebIdentificationResult', 404, 'NOT_FOUND'));
      tier.btrust.answerNext('getRegistrationStatus', registration('STARTED')).answerNext('getWebIdentificationStatus', webStatus('ON_BOARDING'));
      const row = await deliver(callbackToken, webhook(processState, { sessionId: identification.webSessionId!, resultId: identification.resultId! }, code));
      expect(row).toMatchObject({ outcome: 'NO_CHANGE' });
      expect(await reload(identification)).toMatchObject({ status: 'STARTED' });
      expect(tier.btrust.callsOf('getWebIdentificationStatus')).toHaveLength(1);
    });

    it("records a webhook whose resultId is not its URL's identification's as MISMATCH, asking B-Trust nothing", async () => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      const other = await startWebIdentification(tier, OWNER, HOUR_MS);
      const row = await deliver(callbackToken, webhook(IDENTIFICATION_READY, { sessionId: identification.webSessionId!, resultId: other.identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'MISMATCH' });
      expect(await reload(identification)).toMatchObject({ status: 'STARTED' });
      expect(await reload(other.identification)).toMatchObject({ status: 'STARTED' });
      expect(tier.btrust.calls).toEqual([]);
    });

    it('processes a repeated delivery once: the repeat is counted, B-Trust asked once', async () => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      tier.btrust.answerNext('getWebIdentificationResult', result(CERTIFICATE));
      const body = webhook(IDENTIFICATION_READY, { sessionId: identification.webSessionId!, resultId: identification.resultId! });
      await deliver(callbackToken, body);
      expect(await inbox().receive(callbackToken, body)).toEqual({ status: 'duplicate' });
      expect(await inboxRow(body)).toMatchObject({ outcome: 'APPLIED', duplicates: 1 });
      expect(tier.btrust.callsOf('getWebIdentificationResult')).toHaveLength(1);
    });

    it('settles a new delivery about an identification already final without asking B-Trust (NO_CHANGE)', async () => {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      await moveWebIdentification.alone(tier.dataSource, identification.id, 'CANCELLED', 'test');
      const row = await deliver(callbackToken, webhook(IDENTIFICATION_READY, { sessionId: identification.webSessionId!, resultId: identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'NO_CHANGE', outcomeDetail: 'Already CANCELLED', sessionIdMatch: 'WEB_SESSION' });
      expect(tier.btrust.calls).toEqual([]);
    });
  });

  describe('signing webhooks (3.2)', () => {
    /** An IDENTIFIED identification (its webhook URL's token) with a PENDING signing of one PDF. */
    async function pendingSigning(options: { resultId?: string | null } = {}) {
      const { identification, callbackToken } = await startWebIdentification(tier, OWNER, HOUR_MS);
      tier.btrust.answerNext('getWebIdentificationResult', result(CERTIFICATE, `sign-session-${identification.id}`));
      await tier.get(WebIdentificationsService).confirmIdentified(identification, 'test');
      const original = await pdf(1, `Contract ${identification.id}`);
      tier.btrust.answerNext('startSignSession', {
        clientDocumentUrl: 'https://btrust.invalid/sign/1',
        expiresAt: new Date(Date.now() + HOUR_MS),
        resultId: options.resultId === undefined ? `signing-result-${identification.id}` : options.resultId,
      });
      const signing = await tier.get(SigningCreationService).create(
        OWNER,
        identification.id,
        signingRequest(tier, [original]),
        'bg',
      );
      tier.btrust.reset();
      return { identification, callbackToken, signing, original };
    }

    const signedAnswer = (original: Buffer, nextSignSessionId: string) => signedDocumentsAnswer([signedFrom(original)], nextSignSessionId);
    const statusOf = async (signing: Signing) => (await tier.dataSource.getRepository(Signing).findOneByOrFail({ id: signing.id })).status;

    it.each([
      ['the sign session the signing used', 'SIGN_SESSION_USED', (signing: Signing) => signing.signSessionId],
      ['the next sign session 3.3 hands back', 'SIGN_SESSION_HANDED', () => 'next-sign-session'],
    ] as const)('fetches the signed documents (3.3) on a webhook whose sessionId is %s, and records it as %s', async (_name, match, sessionIdOf) => {
      const { callbackToken, signing, original } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', signedAnswer(original, 'next-sign-session'));
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: sessionIdOf(signing), resultId: signing.resultId! }));
      expect(row).toMatchObject({ outcome: 'APPLIED', sessionIdMatch: match });
      expect(await statusOf(signing)).toBe('SIGNED');
      expect(tier.btrust.callsOf('getSignedDocuments')).toEqual([[{ resultId: signing.resultId, sessionId: signing.signSessionId }, { language: 'bg' }]]);
    });

    it('ends the signing REJECTED when the webhook says REJECTED and 3.3 has no documents', async () => {
      const { callbackToken, signing } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', providerAnswered('getSignedDocuments', 404, 'REJECTED'));
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: signing.resultId! }, 'REJECTED'));
      expect(row).toMatchObject({ outcome: 'APPLIED' });
      expect(await statusOf(signing)).toBe('REJECTED');
    });

    it('keeps the signing PENDING when 3.3 has no documents yet and the webhook is no refusal (NO_CHANGE)', async () => {
      const { callbackToken, signing } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', providerAnswered('getSignedDocuments', 404, 'NOT_FOUND'));
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: signing.resultId! }));
      expect(row).toMatchObject({ outcome: 'NO_CHANGE' });
      expect(await statusOf(signing)).toBe('PENDING');
    });

    it('records the webhook FAILED and leaves the signing PENDING when B-Trust refuses our access to 3.3 (401 REJECTED)', async () => {
      const { callbackToken, signing } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', providerAnswered('getSignedDocuments', 401, 'REJECTED'));
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: signing.resultId! }));
      expect(row).toMatchObject({ outcome: 'FAILED', outcomeDetail: 'B-Trust getSignedDocuments: REJECTED' });
      expect(await statusOf(signing)).toBe('PENDING');
    });

    it('leaves the webhook PENDING for its job to retry when B-Trust cannot answer 3.3 (500), and applies it on the next run', async () => {
      const { callbackToken, signing, original } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', providerAnswered('getSignedDocuments', 500, 'ERROR'));
      const body = webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: signing.resultId! });
      expect(await inbox().receive(callbackToken, body)).toEqual({ status: 'accepted' });
      await eventually(async () => tier.btrust.callsOf('getSignedDocuments').length, (calls) => calls === 1, 15_000);
      expect(await inboxRow(body)).toMatchObject({ outcome: 'PENDING' });
      expect(await statusOf(signing)).toBe('PENDING');

      // The job's next run, here rather than after pg-boss's backoff; should both run, the second finds nothing left to do.
      tier.btrust.answerAlways('getSignedDocuments', signedAnswer(original, 'next-sign-session'));
      const [{ id }]: Array<{ id: string }> = await tier.dataSource.query('SELECT id FROM callback_inbox WHERE request_id = $1', [String(body.requestId)]);
      await tier.get(CallbackProcessor).process(id);
      expect(await inboxRow(body)).toMatchObject({ outcome: 'APPLIED' });
      expect(await statusOf(signing)).toBe('SIGNED');
    });

    it("matches a signing whose 3.1 answer carried no resultId by its sign session, and takes the webhook's resultId", async () => {
      const { callbackToken, signing, original } = await pendingSigning({ resultId: null });
      tier.btrust.answerNext('getSignedDocuments', signedAnswer(original, 'next-sign-session'));
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: 'result-only-the-webhook-names' }));
      expect(row).toMatchObject({ outcome: 'APPLIED', sessionIdMatch: 'SIGN_SESSION_USED' });
      expect(await tier.dataSource.getRepository(Signing).findOneByOrFail({ id: signing.id })).toMatchObject({
        status: 'SIGNED',
        resultId: 'result-only-the-webhook-names',
      });
    });

    it('hands a SIGN_SESSION webhook whose resultId is the identification\'s to the identification, and no signing moves', async () => {
      const { identification, callbackToken, signing } = await pendingSigning();
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: identification.resultId! }));
      expect(row).toMatchObject({ outcome: 'NO_CHANGE' });
      expect(await statusOf(signing)).toBe('PENDING');
      // Just IDENTIFIED, so within WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS: not even its status is asked again.
      expect(tier.btrust.calls).toEqual([]);
    });

    it('records a SIGN_SESSION webhook whose resultId no flow of its URL knows as MISMATCH, asking B-Trust nothing', async () => {
      const { callbackToken, signing } = await pendingSigning();
      const row = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: 'a-result-nobody-issued' }));
      expect(row).toMatchObject({ outcome: 'MISMATCH' });
      expect(await statusOf(signing)).toBe('PENDING');
      expect(tier.btrust.calls).toEqual([]);
    });

    it('settles a webhook about a signing already SIGNED without asking B-Trust again (NO_CHANGE)', async () => {
      const { callbackToken, signing, original } = await pendingSigning();
      tier.btrust.answerNext('getSignedDocuments', signedAnswer(original, 'next-sign-session'));
      await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: signing.signSessionId, resultId: signing.resultId! }));
      const again = await deliver(callbackToken, webhook(SIGNING_READY, { sessionId: 'next-sign-session', resultId: signing.resultId! }));
      expect(again).toMatchObject({ outcome: 'NO_CHANGE', outcomeDetail: 'Already SIGNED' });
      expect(tier.btrust.callsOf('getSignedDocuments')).toHaveLength(1);
    });
  });
});
