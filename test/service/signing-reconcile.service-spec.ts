import { randomUUID } from 'node:crypto';
import type { BtrustError } from '../../src/btrust/btrust.errors';
import type { SignedDocuments } from '../../src/btrust/btrust.types';
import { WebIdentification } from '../../src/identification/web/web-identification.entity';
import { Signing } from '../../src/signing/signing.entity';
import { SigningCreationService } from '../../src/signing/signing-creation.service';
import { SigningReconciliationService, type SigningHint } from '../../src/signing/signing-reconciliation.service';
import { SigningsService } from '../../src/signing/signings.service';
import { pdf } from '../signing/signing-support';
import { noAnswer, providerAnswered } from '../support/fake-btrust-client';
import { useServiceModule } from '../support/service-module';
import { SIGNING_PROVIDERS, signedDocumentsAnswer, signedFrom, signingRequest } from '../support/service-signings';

const OWNER = 'owner-of-the-signings';
const HOUR_MS = 60 * 60 * 1000;
const SIGNED_DOCUMENTS = 'getSignedDocuments';

/** 3.3's answers that hand over no documents, by the class the reading policy gives each. */
const NOT_YET: Array<[string, BtrustError]> = [
  ['404 NOT_FOUND', providerAnswered(SIGNED_DOCUMENTS, 404, 'NOT_FOUND')],
  ['400 REJECTED', providerAnswered(SIGNED_DOCUMENTS, 400, 'REJECTED')],
  ['404 REJECTED', providerAnswered(SIGNED_DOCUMENTS, 404, 'REJECTED')],
];
const UNASKABLE: Array<[string, BtrustError]> = [
  ['500 (TRANSIENT)', providerAnswered(SIGNED_DOCUMENTS, 500, 'ERROR')],
  ['500 REJECTED (TRANSIENT)', providerAnswered(SIGNED_DOCUMENTS, 500, 'REJECTED')],
  ['a timeout (TRANSIENT)', noAnswer(SIGNED_DOCUMENTS, 'ETIMEDOUT', true)],
  ['401 (CONFIGURATION_FAULT)', providerAnswered(SIGNED_DOCUMENTS, 401)],
  ['403 (CONFIGURATION_FAULT)', providerAnswered(SIGNED_DOCUMENTS, 403)],
];

/**
 * Reconciliation of a pending signing with 3.3 (SigningReconciliationService.reconcile)
 * on a real PostgreSQL, B-Trust faked at the port, as README's signing
 * tables have it. The signed documents make it SIGNED at any time, each
 * paired with its original by content. An answer without them (NOT_YET)
 * keeps it PENDING until the sign session's deadline (+ grace), unless the
 * signing's webhook said REJECTED; past it, that answer is the last ask and
 * ends it EXPIRED. An answer we could not get, or a refusal of our access,
 * never ends it, deadline or not: a signed contract may be waiting. A 3.1
 * that B-Trust may have received without answering is OUTCOME_UNKNOWN.
 */
describe(`${SigningReconciliationService.name}`, () => {
  const tier = useServiceModule({ providers: SIGNING_PROVIDERS });
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

  const request = (originals: Buffer[]) => signingRequest(tier, originals);

  /** A PENDING signing of `count` real PDFs, put up with 3.1, its signing page due to expire `expiresInMs` from now. */
  async function pendingSigning(expiresInMs: number, count = 1) {
    const identificationId = await identified();
    const originals: Buffer[] = [];
    for (let index = 0; index < count; index++) originals.push(await pdf(1, `Contract ${index + 1} of ${identificationId}`));
    tier.btrust.answerNext('startSignSession', {
      clientDocumentUrl: 'https://btrust.invalid/sign/1',
      expiresAt: new Date(Date.now() + expiresInMs),
      resultId: `result-${identificationId}`,
    });
    const signing = await creation().create(OWNER, identificationId, request(originals), 'bg');
    expect(signing.status).toBe('PENDING');
    tier.btrust.reset();
    return { signing, original: originals[0], originals, identificationId };
  }

  /** 3.3's answer: each original signed, in order. */
  const signed = (original: Buffer, nextSignSessionId: string): SignedDocuments => signedDocumentsAnswer([signedFrom(original)], nextSignSessionId);

  const statusOf = async (id: string) => (await records().findOwned(OWNER, id)).status;
  const signSessionOf = async (identificationId: string) =>
    (await tier.dataSource.getRepository(WebIdentification).findOneByOrFail({ id: identificationId })).signSessionId;

  type PendingSigning = Awaited<ReturnType<typeof pendingSigning>>['signing'];

  /** Reconciles once, whatever it answers; the status is what counts. */
  async function reconcile(signing: PendingSigning, hint: SigningHint = {}): Promise<string> {
    await service()
      .reconcile(await records().findOwned(OWNER, signing.id), 'reconcile', hint)
      .catch(() => undefined);
    return statusOf(signing.id);
  }

  /** Reconciles once, expecting B-Trust's error back: the caller (webhook job, reconciliation) asks again later. */
  async function reconcileRetried(signing: PendingSigning, failure: BtrustError, hint: SigningHint = {}): Promise<string> {
    await expect(service().reconcile(await records().findOwned(OWNER, signing.id), 'reconcile', hint)).rejects.toBe(failure);
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

  describe('before the deadline', () => {
    it.each(NOT_YET)('keeps a signing PENDING on %s (NOT_YET) without a retry, and signs it when the documents come', async (_answer, failure) => {
      const { signing, original, identificationId } = await pendingSigning(HOUR_MS);
      const before = await signSessionOf(identificationId);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure, failure, signed(original, 'after-waiting'));
      await expect(service().reconcile(signing, 'reconcile')).resolves.toBeNull();
      expect(await reconcile(signing)).toBe('PENDING');
      expect(await signSessionOf(identificationId)).toBe(before);
      expect(await reconcile(signing)).toBe('SIGNED');
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(3);
    });

    it.each(UNASKABLE)('keeps a signing PENDING on %s, handing the error back to be retried, and signs it when the documents come', async (_answer, failure) => {
      const { signing, original, identificationId } = await pendingSigning(HOUR_MS);
      const before = await signSessionOf(identificationId);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure, failure, signed(original, 'after-waiting'));
      expect(await reconcileRetried(signing, failure)).toBe('PENDING');
      expect(await reconcileRetried(signing, failure)).toBe('PENDING');
      expect(await signSessionOf(identificationId)).toBe(before);
      expect(await reconcile(signing)).toBe('SIGNED');
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(3);
    });

    it.each(NOT_YET)('ends it REJECTED on %s when the signing\'s webhook said REJECTED', async (_answer, failure) => {
      const { signing } = await pendingSigning(HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure);
      expect(await reconcile(signing, { rejected: true })).toBe('REJECTED');
      expect(await records().findOwned(OWNER, signing.id)).toMatchObject({ failure: { code: 'REJECTED' } });
    });

    it('keeps it PENDING when the webhook said REJECTED but B-Trust could not be asked', async () => {
      const { signing } = await pendingSigning(HOUR_MS);
      const failure = providerAnswered(SIGNED_DOCUMENTS, 503);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure);
      expect(await reconcileRetried(signing, failure, { rejected: true })).toBe('PENDING');
    });

    it('signs it when the webhook said REJECTED but the signed documents are there', async () => {
      const { signing, original } = await pendingSigning(HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'signed-after-all'));
      expect(await reconcile(signing, { rejected: true })).toBe('SIGNED');
    });
  });

  describe('past the deadline (the sign session has expired, its grace too)', () => {
    it.each(NOT_YET)('asks once more and ends EXPIRED when B-Trust answers %s', async (_answer, failure) => {
      const { signing } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure);
      expect(await reconcile(signing)).toBe('EXPIRED');
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toHaveLength(1);
      await expect(records().signedDocument(OWNER, signing.id, 0)).rejects.toMatchObject({ code: 'NOT_SIGNED' });
    });

    it('ends REJECTED rather than EXPIRED when the signing\'s webhook said REJECTED', async () => {
      const { signing } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, providerAnswered(SIGNED_DOCUMENTS, 404, 'REJECTED'));
      expect(await reconcile(signing, { rejected: true })).toBe('REJECTED');
    });

    it.each(UNASKABLE)('never ends it on %s: PENDING, retried, and SIGNED when the documents come', async (_answer, failure) => {
      const { signing, original } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, failure, failure, signed(original, 'late-but-signed'));
      expect(await reconcileRetried(signing, failure)).toBe('PENDING');
      expect(await reconcileRetried(signing, failure)).toBe('PENDING');
      expect(await reconcile(signing)).toBe('SIGNED');
    });

    it('asks once more and ends SIGNED when the signed documents came after all', async () => {
      const { signing, original } = await pendingSigning(-2 * HOUR_MS);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'late-but-signed'));
      expect(await reconcile(signing)).toBe('SIGNED');
    });
  });

  describe('signed documents are matched by content, never by name or order', () => {
    it('pairs each signed PDF with the original it starts with, whatever its name and position', async () => {
      const { signing, originals } = await pendingSigning(HOUR_MS, 2);
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signedDocumentsAnswer([signedFrom(originals[1]), signedFrom(originals[0])], 'next'));
      expect(await reconcile(signing)).toBe('SIGNED');
      for (const [index, original] of originals.entries()) {
        const stored = await records().signedDocument(OWNER, signing.id, index);
        expect(stored.content.subarray(0, original.length)).toEqual(original);
      }
      expect((await records().documentsOf(signing.id)).map((document) => [document.index, document.matchedBy, document.signedFileName])).toEqual([
        [0, 'content', 'signed-by-btrust-1.pdf'],
        [1, 'content', 'signed-by-btrust-0.pdf'],
      ]);
    });

    it('keeps a returned document that matches no original as unmatched, and is SIGNED when every original has its own', async () => {
      const { signing, original } = await pendingSigning(HOUR_MS);
      const stranger = await pdf(1, 'A document this signing never sent');
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signedDocumentsAnswer([stranger, signedFrom(original)], 'next'));
      expect(await reconcile(signing)).toBe('SIGNED');
      expect(await records().findOwned(OWNER, signing.id)).toMatchObject({ unmatchedDocuments: 1 });
      expect(await records().unmatchedDocumentsOf(signing.id)).toEqual([expect.objectContaining({ position: 0 })]);
      await expect(records().unmatchedDocument(signing.id, 0)).resolves.toMatchObject({ content: stranger });
    });

    it('ends FAILED SIGNED_DOCUMENTS_MISMATCH when an original got no signed document, every returned one kept', async () => {
      const { signing, originals, identificationId } = await pendingSigning(HOUR_MS, 2);
      const strangers = [await pdf(1, 'Not one of the originals'), await pdf(1, 'Nor this one')];
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signedDocumentsAnswer([signedFrom(originals[0]), ...strangers], 'handed-back'));
      expect(await reconcile(signing)).toBe('FAILED');
      expect(await records().findOwned(OWNER, signing.id)).toMatchObject({ failure: { code: 'SIGNED_DOCUMENTS_MISMATCH' }, unmatchedDocuments: 2 });
      expect((await records().unmatchedDocumentsOf(signing.id)).map((document) => document.position)).toEqual([1, 2]);
      // B-Trust handed back a sign session all the same: the identification's next signing uses it.
      expect(await signSessionOf(identificationId)).toBe('handed-back');
    });
  });

  describe('OUTCOME_UNKNOWN', () => {
    it.each([
      ['a 500', providerAnswered('startSignSession', 500, 'ERROR')],
      ['a timeout after sending', noAnswer('startSignSession', 'ETIMEDOUT', true)],
    ])('a 3.1 answered by %s is OUTCOME_UNKNOWN, never asked about with 3.3, and holds the sign session', async (_answer, failure) => {
      const identificationId = await identified();
      const original = await pdf(1, `Contract ${identificationId}`);
      tier.btrust.answerNext('startSignSession', failure);
      await expect(creation().create(OWNER, identificationId, request([original]), 'bg')).rejects.toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN' });
      const [unknown] = await tier.dataSource.getRepository(Signing).findBy({ webIdentificationId: identificationId });
      expect(unknown).toMatchObject({ status: 'OUTCOME_UNKNOWN', failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' }, resultId: null });

      await expect(service().reconcile(unknown, 'reconcile')).resolves.toBeNull();
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toEqual([]);
      await expect(creation().create(OWNER, identificationId, request([original]), 'bg')).rejects.toMatchObject({ code: 'SIGNING_IN_PROGRESS' });
      expect(tier.btrust.callsOf('startSignSession')).toHaveLength(1);
    });

    it('a PENDING signing whose 3.1 answer was never recorded becomes OUTCOME_UNKNOWN once that call surely ended, without asking B-Trust', async () => {
      const { signing } = await pendingSigning(HOUR_MS);
      // As if the server stopped between storing the signing and hearing 3.1's answer.
      await tier.dataSource.getRepository(Signing).update(signing.id, { resultId: null, createdAt: new Date(Date.now() - HOUR_MS) });
      expect(await reconcile(signing)).toBe('OUTCOME_UNKNOWN');
      expect(await records().findOwned(OWNER, signing.id)).toMatchObject({ failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' } });
      expect(tier.btrust.calls).toEqual([]);
    });

    it('a PENDING signing without a resultId is matched by the webhook\'s resultId', async () => {
      const { signing, original } = await pendingSigning(HOUR_MS);
      await tier.dataSource.getRepository(Signing).update(signing.id, { resultId: null });
      tier.btrust.answerNext(SIGNED_DOCUMENTS, signed(original, 'next'));
      expect(await reconcile(signing, { resultId: 'result-from-the-webhook' })).toBe('SIGNED');
      expect(tier.btrust.callsOf(SIGNED_DOCUMENTS)).toEqual([[{ resultId: 'result-from-the-webhook', sessionId: signing.signSessionId }, { language: 'bg' }]]);
      expect(await records().findOwned(OWNER, signing.id)).toMatchObject({ resultId: 'result-from-the-webhook' });
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
