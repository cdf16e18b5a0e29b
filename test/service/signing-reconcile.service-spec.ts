import { randomUUID } from 'node:crypto';
import type { SignedDocuments } from '../../src/btrust/btrust.types';
import { CallbackEndpointsService } from '../../src/callbacks/callback-endpoints.service';
import { APP_CONFIG, ResolvedAppConfig } from '../../src/config/config.module';
import { WebIdentification } from '../../src/identification/web/web-identification.entity';
import { WebIdentificationsService } from '../../src/identification/web/web-identifications.service';
import { CasMetrics } from '../../src/metrics/cas-metrics';
import { PdfInspector } from '../../src/signing/pdf/pdf-inspector';
import { SignedDocumentVerifier } from '../../src/signing/signed-document-verifier';
import { SigningCompletionService } from '../../src/signing/signing-completion.service';
import { SigningCreationService } from '../../src/signing/signing-creation.service';
import { SigningReconciliationService } from '../../src/signing/signing-reconciliation.service';
import { SigningsService } from '../../src/signing/signings.service';
import { pdf } from '../signing/signing-support';
import { noAnswer, providerAnswered } from '../support/fake-btrust-client';
import { useServiceModule } from '../support/service-module';

const OWNER = 'owner-of-the-signings';
const HOUR_MS = 60 * 60 * 1000;
const SIGNED_DOCUMENTS = 'getSignedDocuments';

/**
 * Reconciliation of a pending signing with 3.3 (SigningReconciliationService.reconcile)
 * on a real PostgreSQL, B-Trust faked at the port: the branches whose reading
 * is settled. The signed documents make it SIGNED at any time; no result yet
 * keeps it PENDING before the sign session's deadline; past it, one last ask
 * decides.
 */
describe(`${SigningReconciliationService.name}`, () => {
  const tier = useServiceModule({
    providers: [
      SigningsService,
      SigningCreationService,
      SigningCompletionService,
      SigningReconciliationService,
      WebIdentificationsService,
      CallbackEndpointsService,
      SignedDocumentVerifier,
      CasMetrics,
      { provide: PdfInspector, inject: [APP_CONFIG], useFactory: (config: ResolvedAppConfig) => new PdfInspector(config.signing.pdfParsing) },
    ],
  });
  const records = () => tier.get(SigningsService);
  const creation = () => tier.get(SigningCreationService);
  const service = () => tier.get(SigningReconciliationService);
  beforeEach(() => tier.btrust.reset());

  /** An IDENTIFIED web identification, as 2.5 left it: its client identificator and a sign session. */
  async function identified(): Promise<string> {
    const id = randomUUID();
    await tier.dataSource.getRepository(WebIdentification).insert({
      id,
      owner: OWNER,
      status: 'IDENTIFIED',
      reason: 'Signing a contract',
      language: 'bg',
      successUrl: `${tier.config.publicBaseUrl}/identified`,
      cancelUrl: `${tier.config.publicBaseUrl}/cancelled`,
      clientIdentificator: 'client-identificator-1',
      signSessionId: `sign-session-${id}`,
      signSessionExpiresAt: new Date(Date.now() + 24 * HOUR_MS),
      identifiedAt: new Date(),
    });
    return id;
  }

  /** A PENDING signing of one real PDF, put up with 3.1, its signing page due to expire `expiresInMs` from now. */
  async function pendingSigning(expiresInMs: number) {
    const identificationId = await identified();
    const original = await pdf(1, `Contract ${identificationId}`);
    tier.btrust.answerNext('startSignSession', {
      clientDocumentUrl: 'https://btrust.invalid/sign/1',
      expiresAt: new Date(Date.now() + expiresInMs),
      resultId: `result-${identificationId}`,
    });
    const signing = await creation().create(
      OWNER,
      identificationId,
      {
        documents: [{ fileName: 'contract.pdf', title: 'Contract', content: original }],
        emailSignedDocuments: false,
        successUrl: `${tier.config.publicBaseUrl}/signed`,
        cancelUrl: `${tier.config.publicBaseUrl}/cancelled`,
      },
      'bg',
    );
    expect(signing.status).toBe('PENDING');
    return { signing, original, identificationId };
  }

  /** 3.3's answer: each original with an incremental update appended, as a signature adds one. */
  const signed = (original: Buffer, nextSignSessionId: string): SignedDocuments => ({
    documents: [{ fileName: 'contract.pdf', content: Buffer.concat([original, Buffer.from('\n% signature added by B-Trust\n')]) }],
    clientIdentificator: 'client-identificator-1',
    signSessionId: nextSignSessionId,
    signSessionExpiresAt: new Date(Date.now() + 24 * HOUR_MS),
  });

  const statusOf = async (id: string) => (await records().findOwned(OWNER, id)).status;
  const signSessionOf = async (identificationId: string) =>
    (await tier.dataSource.getRepository(WebIdentification).findOneByOrFail({ id: identificationId })).signSessionId;

  /** Reconciles once; a provider error the caller retries is what some branches answer, the status is what counts. */
  async function reconcile(signing: Awaited<ReturnType<typeof pendingSigning>>['signing']): Promise<string> {
    await service()
      .reconcile(await records().findOwned(OWNER, signing.id), 'reconcile')
      .catch(() => undefined);
    return statusOf(signing.id);
  }

  it('makes a pending signing SIGNED on the signed documents, keeps them, and hands the next sign session to the identification', async () => {
    const { signing, original, identificationId } = await pendingSigning(HOUR_MS);
    tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'next-sign-session'));
    expect(await reconcile(signing)).toBe('SIGNED');
    expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toEqual([[{ resultId: signing.resultId, sessionId: signing.signSessionId }, { language: 'bg' }]]);
    const stored = await records().signedDocument(OWNER, signing.id, 0);
    expect(stored.content.subarray(0, original.length)).toEqual(original);
    expect(stored.content.length).toBeGreaterThan(original.length);
    expect(await signSessionOf(identificationId)).toBe('next-sign-session');
  });

  it.each([
    ['404 NOT_FOUND', providerAnswered(SIGNED_DOCUMENTS, 404, 'NOT_FOUND')],
    ['500', providerAnswered(SIGNED_DOCUMENTS, 500, 'ERROR')],
    ['a timeout', noAnswer(SIGNED_DOCUMENTS, 'ETIMEDOUT', true)],
    ['401', providerAnswered(SIGNED_DOCUMENTS, 401)],
  ])('keeps a signing PENDING on %s before its deadline, and signs it when the documents come', async (_answer, failure) => {
    const { signing, original, identificationId } = await pendingSigning(HOUR_MS);
    const before = await signSessionOf(identificationId);
    tier.btrust.answerNext(SIGNED_DOCUMENTS, failure, failure, signed(original, 'after-waiting'));
    expect(await reconcile(signing)).toBe('PENDING');
    expect(await reconcile(signing)).toBe('PENDING');
    expect(await signSessionOf(identificationId)).toBe(before);
    expect(await reconcile(signing)).toBe('SIGNED');
    expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(3);
  });

  describe('past the deadline (the sign session has expired, its grace too)', () => {
    it('asks once more and ends EXPIRED when B-Trust still has no signed documents', async () => {
      const { signing } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, providerAnswered(SIGNED_DOCUMENTS, 404, 'NOT_FOUND'));
      expect(await reconcile(signing)).toBe('EXPIRED');
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(1);
      await expect(records().signedDocument(OWNER, signing.id, 0)).rejects.toMatchObject({ code: 'NOT_SIGNED' });
    });

    it('asks once more and ends SIGNED when the signed documents came after all', async () => {
      const { signing, original } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'late-but-signed'));
      expect(await reconcile(signing)).toBe('SIGNED');
    });
  });

  it('leaves a signing that has ended alone: no ask, no change', async () => {
    const { signing, original } = await pendingSigning(HOUR_MS);
    tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'first'));
    expect(await reconcile(signing)).toBe('SIGNED');
    expect(await reconcile(signing)).toBe('SIGNED');
    expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(1);
  });
});
