import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { BtrustClient } from '../btrust/btrust.client';
import { BtrustError } from '../btrust/btrust.errors';
import type { BtrustLanguage, SignedDocuments } from '../btrust/btrust.types';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import { notOutcomeUnknown, notStarted, outcomeUnknown } from '../btrust/provider-failure';
import { bindIdempotencyKey } from '../common/idempotency/idempotency.service';
import type { FieldProblem } from '../common/problem/problem';
import { RequestError } from '../common/problem/request-error';
import { applyTransition, recordCreation, TransitionOutcome } from '../common/state-machine/apply-transition';
import { refusedRedirects } from '../common/validation/redirect-urls';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { WebIdentificationsService } from '../identification/web/web-identifications.service';
import { assertCanSign } from '../identification/web/web-identification-signing-gate';
import { ActiveContent, PdfInspectionError } from './pdf/pdf-inspection';
import { PdfInspector } from './pdf/pdf-inspector';
import { PdfLimitExceededError } from './pdf/pdf-limits';
import { MatchedBy, matchSignedDocuments } from './signed-document-matching';
import { SignedDocumentVerifier } from './signed-document-verifier';
import { decideUnsigned, SigningTiming } from './signed-documents-answer';
import { SigningDocument } from './signing-document.entity';
import { SigningUnmatchedDocument } from './signing-unmatched-document.entity';
import {
  activeContentRefused,
  assertWithinLimits,
  duplicateFileNameProblems,
  pdfLimitExceeded,
  visibleSignatureProblems,
} from './signing-request-rules';
import { Signing } from './signing.entity';
import { SigningError, SigningErrorCode } from './signing.errors';
import { signingMachine, SigningStatus } from './signing.state';
import type { SignedDocumentVerification, SigningInput } from './signing.types';

type SigningChanges = Partial<Omit<Signing, 'id' | 'status' | 'owner'>>;

/** Webhooks for a signing may come a little after its nominal expiry. */
const CALLBACK_URL_GRACE_MS = 24 * 60 * 60 * 1000;
/** PostgreSQL unique_violation: the partial index that allows one PENDING signing per identification. */
const UNIQUE_VIOLATION = '23505';
const ONE_PENDING_INDEX = 'signings_one_pending_per_identification';
/** The signings that hold their identification's sign session: one may be in flight at B-Trust. */
const IN_FLIGHT: SigningStatus[] = ['PENDING', 'OUTCOME_UNKNOWN'];

/** How an operator settles an OUTCOME_UNKNOWN signing after asking B-Trust. */
export type SigningResolution =
  | { outcome: 'NOT_STARTED'; note?: string }
  | { outcome: 'STARTED'; resultId: string; expiresAt?: Date; note?: string };

/** A signed document from 3.3, paired with the original at `index`. */
interface PairedDocument {
  index: number;
  content: Buffer;
  fileName: string | null;
  matchedBy: MatchedBy;
  verification: SignedDocumentVerification;
}

/** A signed document from 3.3 that matches no original. */
interface UnmatchedDocument {
  position: number;
  fileName: string | null;
  content: Buffer;
}

/** What a webhook adds to a reconciliation: it is a hint, confirmed with B-Trust before anything changes. */
export interface SigningHint {
  /** The webhook's resultId, used when 3.1 answered without one. */
  resultId?: string;
  /** B-Trust's webhook said REJECTED for this signing. */
  rejected?: boolean;
}

/**
 * Scenario 3: PDFs are validated, stored, put up for signing with the
 * identification's sign session (3.1), and confirmed by fetching the signed
 * documents (3.3), each of which is verified before the signing is SIGNED.
 */
@Injectable()
export class SigningsService {
  private readonly logger = new Logger(SigningsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly btrust: BtrustClient,
    private readonly callbackEndpoints: CallbackEndpointsService,
    private readonly identifications: WebIdentificationsService,
    private readonly verifier: SignedDocumentVerifier,
    private readonly metrics: CasMetrics,
    private readonly pdfInspector: PdfInspector,
  ) {}

  /**
   * Every rule is checked before the (paid) call to B-Trust; the signing and
   * its documents are stored before it, so a signing that reached B-Trust is
   * never lost. A 3.1 that B-Trust did not start ends the signing FAILED with
   * its reason; one it may have started (a timeout, a reset or a 5xx after it
   * was sent) is kept as OUTCOME_UNKNOWN for an operator, and never sent again.
   */
  async create(owner: string, identificationId: string, input: SigningInput, language: BtrustLanguage | undefined): Promise<Signing> {
    const identification = await this.identifications.findOwned(owner, identificationId);
    assertWithinLimits(
      input.documents.map((document) => document.content.length),
      this.config.signing,
    );
    this.assertAllowedRedirects(input);
    assertCanSign(identification);
    const activeContent = await this.assertSignableDocuments(input);
    // Last, right before the paid call: a DENIED that came since the last ask is seen here.
    assertCanSign(await this.identifications.refreshBeforeSigning(identification));

    const id = randomUUID();
    const signSession = await this.insertPending(id, owner, identificationId, input, activeContent);
    const options = { language: language ?? (identification.language as BtrustLanguage) };
    let started;
    try {
      started = await this.btrust.startSignSession(
        {
          identificator: signSession.clientIdentificator,
          signSessionId: signSession.signSessionId,
          documents: input.documents,
          emailSignedDocuments: input.emailSignedDocuments,
          successUrl: input.successUrl,
          cancelUrl: input.cancelUrl,
        },
        options,
      );
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      if (error.answerClass === 'UNKNOWN_OUTCOME') {
        // Nothing B-Trust said is kept: a failed answer's text is not known to be free of personal data.
        const what = error.httpStatus === undefined ? error.code : `${error.code}, HTTP ${error.httpStatus}`;
        await this.move(id, 'OUTCOME_UNKNOWN', 'api', {
          failureCode: 'PROVIDER_OUTCOME_UNKNOWN',
          failureMessage: `B-Trust may or may not have started the signing (${what}).`,
        });
        throw outcomeUnknown(id);
      }
      await this.move(id, 'FAILED', 'api', { failureCode: error.code, failureMessage: `startSignSession: ${error.providerMessage ?? error.message}` });
      throw notStarted(error);
    }
    const expiresAt = started.expiresAt ?? signSession.expiresAt;
    await this.signings().update(id, { resultId: started.resultId, clientDocumentUrl: started.clientDocumentUrl, expiresAt });
    if (expiresAt) await this.callbackEndpoints.extend(identificationId, new Date(expiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    return this.findOwned(owner, id);
  }

  async findOwned(owner: string, id: string): Promise<Signing> {
    const found = await this.signings().findOneBy({ id, owner });
    if (!found) throw RequestError.notFound('The signing');
    return found;
  }

  async documentsOf(signingId: string): Promise<SigningDocument[]> {
    return this.documents().find({ where: { signingId }, order: { index: 'ASC' } });
  }

  /** The signed PDF of one document, once the signing is SIGNED. */
  async signedDocument(owner: string, id: string, index: number): Promise<{ fileName: string; content: Buffer }> {
    const signing = await this.findOwned(owner, id);
    const document = await this.documents()
      .createQueryBuilder('document')
      .addSelect('document.signed')
      .where('document.signingId = :id AND document.index = :index', { id, index })
      .getOne();
    if (!document) throw RequestError.notFound('The document');
    if (signing.status !== 'SIGNED' || !document.signed) {
      throw new SigningError(SigningErrorCode.NOT_SIGNED, `The signing is ${signing.status}; signed documents exist only once it is SIGNED.`);
    }
    return { fileName: document.fileName, content: document.signed };
  }

  /**
   * Asks B-Trust where an open signing stands (3.3) and applies the verdict:
   * the signed documents → SIGNED (or FAILED, see complete); otherwise what
   * decideUnsigned says, by the answer's class and the signing's deadline.
   * Answers that leave it open but could not be had (B-Trust unreachable, our
   * access refused) propagate to the caller, which asks again later. Used by
   * webhooks, the reconciliation of missed ones, and operators' refreshes.
   */
  async reconcile(signing: Signing, cause: string, hint: SigningHint = {}): Promise<TransitionOutcome<Signing> | null> {
    if (signingMachine.isFinal(signing.status)) return null;
    const resultId = signing.resultId ?? hint.resultId;
    if (!resultId) return signing.status === 'PENDING' ? this.outcomeUnknownIfNeverAnswered(signing, cause) : null;
    const options = { language: await this.languageOf(signing) };

    let result: SignedDocuments;
    try {
      result = await this.btrust.getSignedDocuments({ resultId, sessionId: signing.signSessionId }, options);
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      const decision = decideUnsigned(error.answerClass, this.timingOf(signing), hint.rejected === true);
      switch (decision.kind) {
        case 'retry':
          throw error;
        case 'wait':
          return null;
        case 'end':
          return this.move(signing.id, decision.status, cause, { resultId, failureCode: decision.code, failureMessage: decision.message });
      }
    }
    return this.complete(signing, resultId, result, cause);
  }

  /**
   * Settles an OUTCOME_UNKNOWN signing as an operator found it at B-Trust:
   * NOT_STARTED ends it FAILED (RESOLVED_NOT_STARTED); STARTED takes 3.1's
   * resultId and makes it PENDING, asked about (3.3) on the next
   * reconciliation round, within its deadline. 3.1 is never sent again.
   */
  async resolveOutcomeUnknown(id: string, resolution: SigningResolution): Promise<void> {
    let extendCallbacks: { identificationId: string; until: Date } | undefined;
    await this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ status: SigningStatus; web_identification_id: string }> = await manager.query(
        'SELECT status, web_identification_id FROM signings WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!row) throw RequestError.notFound('The signing');
      if (row.status !== 'OUTCOME_UNKNOWN') throw notOutcomeUnknown('signing', row.status);
      const detail = { outcome: resolution.outcome, ...(resolution.note ? { note: resolution.note } : {}) };
      if (resolution.outcome === 'NOT_STARTED') {
        await this.transition(manager, id, 'FAILED', 'operator', {
          failureCode: 'RESOLVED_NOT_STARTED',
          failureMessage: 'An operator confirmed with B-Trust that the signing was never started.',
        }, detail);
        return;
      }
      const [other]: unknown[] = await manager.query('SELECT 1 FROM signings WHERE web_identification_id = $1 AND result_id = $2 AND id <> $3', [
        row.web_identification_id,
        resolution.resultId,
        id,
      ]);
      if (other) {
        throw new SigningError(
          SigningErrorCode.RESULT_ID_IN_USE,
          'Another signing of this identification already has this B-Trust resultId.',
        );
      }
      await this.transition(manager, id, 'PENDING', 'operator', {
        resultId: resolution.resultId,
        ...(resolution.expiresAt ? { expiresAt: resolution.expiresAt } : {}),
        failureCode: null,
        failureMessage: null,
        // Asked about on the next reconciliation round.
        lastReconciledAt: null,
      }, detail);
      if (resolution.expiresAt) extendCallbacks = { identificationId: row.web_identification_id, until: resolution.expiresAt };
    });
    if (extendCallbacks) {
      await this.callbackEndpoints.extend(extendCallbacks.identificationId, new Date(extendCallbacks.until.getTime() + CALLBACK_URL_GRACE_MS));
    }
  }

  /** The signed documents of a signing that match none of its originals, as operators see them (no content). */
  async unmatchedDocumentsOf(signingId: string): Promise<SigningUnmatchedDocument[]> {
    if (!(await this.signings().existsBy({ id: signingId }))) throw RequestError.notFound('The signing');
    return this.dataSource.getRepository(SigningUnmatchedDocument).find({ where: { signingId }, order: { position: 'ASC' } });
  }

  /** One unmatched signed document's PDF, for an operator. */
  async unmatchedDocument(signingId: string, position: number): Promise<{ fileName: string; content: Buffer }> {
    // Positions are smallint: anything else names no document.
    if (!Number.isInteger(position) || position < 0 || position > 32_767) throw RequestError.notFound('The unmatched document');
    const document = await this.dataSource
      .getRepository(SigningUnmatchedDocument)
      .createQueryBuilder('document')
      .addSelect('document.content')
      .where('document.signingId = :signingId AND document.position = :position', { signingId, position })
      .getOne();
    if (!document) throw RequestError.notFound('The unmatched document');
    return { fileName: `unmatched-${position + 1}.pdf`, content: document.content };
  }

  /**
   * Pairs the signed documents with the originals by content (see
   * signed-document-matching.ts), verifies each, and stores every document
   * B-Trust returned: those that match no original as unmatched, counted on
   * the signing. SIGNED when every original has its signed document (FAILED
   * instead when one fails verification and SIGNING_REJECT_INVALID is set);
   * FAILED with SIGNED_DOCUMENTS_MISMATCH when an original got none, its
   * returned documents kept all the same. Either way the sign session B-Trust
   * handed back becomes the identification's next one.
   */
  private async complete(signing: Signing, resultId: string, result: SignedDocuments, cause: string): Promise<TransitionOutcome<Signing>> {
    const originals = await this.documentsOf(signing.id);
    const originalContents: Buffer[] = [];
    for (const original of originals) originalContents.push(await this.originalContent(original));
    const pairing = matchSignedDocuments(
      originalContents,
      result.documents.map((document) => document.content),
    );

    let referenceSigner = await this.referenceSignerOf(signing.webIdentificationId);
    const paired: PairedDocument[] = [];
    for (const [position, original] of originals.entries()) {
      const signedIndex = pairing.signedIndexFor[position];
      if (signedIndex === null) continue;
      const { content, fileName } = result.documents[signedIndex];
      const verification = await this.verifier.verify(content, originalContents[position], referenceSigner);
      if (verification.valid) referenceSigner ??= verification.signer?.serialNumberIndex ?? null;
      paired.push({ index: original.index, content, fileName, matchedBy: pairing.matchedBy[position] as MatchedBy, verification });
    }
    const unmatched: UnmatchedDocument[] = pairing.unmatched.map((position) => ({ position, ...result.documents[position] }));

    const unsigned = originals.length - paired.length;
    const invalid = paired.filter((document) => !document.verification.valid);
    const base: SigningChanges = { resultId };
    let to: SigningStatus = 'SIGNED';
    let changes: SigningChanges = { ...base, signedAt: new Date() };
    if (unsigned > 0) {
      to = 'FAILED';
      changes = {
        ...base,
        failureCode: 'SIGNED_DOCUMENTS_MISMATCH',
        failureMessage: `B-Trust returned ${result.documents.length} document(s) for ${originals.length} sent; ${unsigned} original(s) matched none. Every returned document is kept.`,
      };
    } else if (invalid.length > 0 && this.config.signing.rejectInvalid) {
      to = 'FAILED';
      changes = { ...base, failureCode: 'VERIFICATION_FAILED', failureMessage: `${invalid.length} signed document(s) failed verification` };
    }
    const outcome = await this.finish(signing, to, cause, changes, result, paired, unmatched);
    if (outcome.result !== 'moved') return outcome;
    for (const document of paired) this.metrics.signedPdfVerifications.inc({ result: document.verification.valid ? 'valid' : 'invalid' });
    const byOrder = paired.filter((document) => document.matchedBy === 'order').length;
    if (unmatched.length > 0 || unsigned > 0 || byOrder > 0) {
      this.logger.warn(
        { signingId: signing.id, status: to, returned: result.documents.length, sent: originals.length, unmatched: unmatched.length, unsigned, byOrder },
        'Signed documents from B-Trust did not all match the originals by content',
      );
    }
    if (invalid.length > 0) {
      this.logger.warn(
        {
          signingId: signing.id,
          status: to,
          invalidDocuments: invalid.length,
          problems: [...new Set(invalid.flatMap((document) => document.verification.problems))],
        },
        'Signed documents from B-Trust failed verification',
      );
    }
    return outcome;
  }

  /** The transition, every returned document and the identification's next sign session, in one transaction. */
  private async finish(
    signing: Signing,
    to: SigningStatus,
    cause: string,
    changes: SigningChanges,
    result: SignedDocuments,
    paired: PairedDocument[],
    unmatched: UnmatchedDocument[],
  ): Promise<TransitionOutcome<Signing>> {
    const invalidDocuments = paired.filter((document) => !document.verification.valid).length;
    const detail = { documents: paired.length, invalidDocuments, ...(unmatched.length > 0 ? { unmatchedDocuments: unmatched.length } : {}) };
    const outcome = await this.dataSource.transaction(async (manager) => {
      const moved = await this.transition(manager, signing.id, to, cause, changes, detail);
      // Another answer of 3.3 may have ended the signing first: what this one returned beyond it is kept all the same.
      await keepUnmatched(manager, signing.id, unmatched);
      if (moved.result !== 'moved') return moved;
      for (const document of paired) {
        await manager.update(
          SigningDocument,
          { signingId: signing.id, index: document.index },
          {
            signed: document.content,
            signedSha256: sha256(document.content),
            signedFileName: document.fileName,
            matchedBy: document.matchedBy,
            ...storedVerification(document.verification),
          },
        );
      }
      if (result.signSessionId) await rotateSignSession(manager, signing, result.signSessionId, result.signSessionExpiresAt);
      return moved;
    });
    if (outcome.result === 'moved' && result.signSessionExpiresAt) {
      await this.callbackEndpoints.extend(signing.webIdentificationId, new Date(result.signSessionExpiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    }
    return outcome;
  }

  /**
   * The signing's bound: the sign session's expiry B-Trust gave (3.1's
   * expireDate, else the identification's sign session expiry), or
   * SIGNING_DEFAULT_VALIDITY_MS from creation when neither could be read.
   */
  private timingOf(signing: Signing): SigningTiming {
    const deadline = signing.expiresAt ?? new Date(signing.createdAt.getTime() + this.config.signing.defaultValidityMs);
    return { now: Date.now(), deadline: deadline.getTime(), graceMs: this.config.btrust.deadlineGraceMs };
  }

  /**
   * The server stopped between recording the signing and hearing 3.1's
   * answer, which B-Trust may have acted on: once that call surely ended, it
   * is OUTCOME_UNKNOWN for an operator, never sent again.
   */
  private async outcomeUnknownIfNeverAnswered(signing: Signing, cause: string): Promise<TransitionOutcome<Signing> | null> {
    if (Date.now() - signing.createdAt.getTime() < this.config.btrust.timeoutMs * 2) return null;
    return this.move(signing.id, 'OUTCOME_UNKNOWN', cause, {
      failureCode: 'PROVIDER_OUTCOME_UNKNOWN',
      failureMessage: "The server stopped before it recorded B-Trust's answer; B-Trust may or may not have started the signing.",
    });
  }

  move(id: string, to: SigningStatus, cause: string, changes: SigningChanges = {}): Promise<TransitionOutcome<Signing>> {
    return this.dataSource.transaction((manager) => this.transition(manager, id, to, cause, changes, changes.failureCode ? { code: changes.failureCode } : undefined));
  }

  private transition(
    manager: EntityManager,
    id: string,
    to: SigningStatus,
    cause: string,
    changes: SigningChanges,
    detail: Record<string, unknown> | undefined,
  ): Promise<TransitionOutcome<Signing>> {
    return applyTransition<SigningStatus, Signing>(manager, { target: Signing, machine: signingMachine, id, to, cause, changes, detail });
  }

  /**
   * The row lock on the identification serializes signings of one
   * identification, so the checks below see the latest sign session; the
   * partial unique index is the guarantee should anything bypass the lock.
   */
  private async insertPending(
    id: string,
    owner: string,
    identificationId: string,
    input: SigningInput,
    activeContent: ActiveContent[][],
  ): Promise<{ clientIdentificator: string; signSessionId: string; expiresAt: Date | null }> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const identification = await manager
          .getRepository(WebIdentification)
          .findOne({ where: { id: identificationId }, lock: { mode: 'pessimistic_write' } });
        if (!identification) throw RequestError.notFound('The web identification');
        assertCanSign(identification);
        if (await manager.getRepository(Signing).existsBy({ webIdentificationId: identificationId, status: In(IN_FLIGHT) })) {
          throw signingInProgress();
        }
        await manager.insert(Signing, {
          id,
          owner,
          webIdentificationId: identificationId,
          status: 'PENDING',
          signSessionId: identification.signSessionId!,
          emailSignedDocuments: input.emailSignedDocuments,
          successUrl: input.successUrl,
          cancelUrl: input.cancelUrl,
        });
        // One statement per document: the driver builds each message in memory, so one at a time keeps that small.
        for (const [index, document] of input.documents.entries()) {
          await manager.insert(SigningDocument, {
            signingId: id,
            index,
            fileName: document.fileName,
            title: document.title,
            original: document.content,
            originalSha256: sha256(document.content),
            visibleSignature: document.visibleSignature ?? null,
            archive: document.archive ?? null,
            activeContent: activeContent[index],
          });
        }
        await recordCreation(manager, signingMachine, id, 'PENDING', 'api');
        await bindIdempotencyKey(manager, id);
        return {
          clientIdentificator: identification.clientIdentificator!,
          signSessionId: identification.signSessionId!,
          expiresAt: identification.signSessionExpiresAt,
        };
      });
    } catch (error) {
      if (isUniqueViolation(error, ONE_PENDING_INDEX)) throw signingInProgress();
      throw error;
    }
  }

  /** Every document parsed (within the PDF limits) and checked; returns the active content found in each. */
  private async assertSignableDocuments(input: SigningInput): Promise<ActiveContent[][]> {
    const problems: FieldProblem[] = duplicateFileNameProblems(input.documents.map((document) => document.fileName));
    const activeContent: ActiveContent[][] = [];
    for (const [index, document] of input.documents.entries()) {
      try {
        const inspection = await this.pdfInspector.inspect(document.content);
        if (document.visibleSignature) problems.push(...visibleSignatureProblems(index, document.visibleSignature, inspection));
        activeContent.push(inspection.activeContent);
      } catch (error) {
        if (error instanceof PdfLimitExceededError) throw pdfLimitExceeded(index, error);
        if (!(error instanceof PdfInspectionError)) throw error;
        problems.push({ field: `documents.${index}.content`, codes: [error.code], messages: [`documents.${index}: ${error.message}`] });
        activeContent.push([]);
      }
    }
    if (problems.length > 0) throw RequestError.invalid(problems);
    const withActiveContent = activeContent.flatMap((found, index) => (found.length > 0 ? [{ index, activeContent: found }] : []));
    if (withActiveContent.length > 0 && this.config.signing.activeContent === 'refuse') throw activeContentRefused(withActiveContent);
    return activeContent;
  }

  private assertAllowedRedirects(input: SigningInput): void {
    const origins = this.config.identification.allowedRedirectOrigins;
    const problems = refusedRedirects(input, origins);
    if (problems.length > 0) throw RequestError.invalid(problems);
  }

  /** The blind index of who signed with this identification first, from a document that verified. */
  private async referenceSignerOf(identificationId: string): Promise<string | null> {
    const rows: Array<{ signer_index: string }> = await this.dataSource.query(
      `SELECT d.verification->'signer'->>'serialNumberIndex' AS signer_index
         FROM signing_documents d JOIN signings s ON s.id = d.signing_id
        WHERE s.web_identification_id = $1 AND (d.verification->>'valid')::boolean
          AND d.verification->'signer'->>'serialNumberIndex' IS NOT NULL
        ORDER BY s.signed_at, d.index
        LIMIT 1`,
      [identificationId],
    );
    return rows[0]?.signer_index ?? null;
  }

  private async originalContent(document: SigningDocument): Promise<Buffer> {
    const row = await this.documents()
      .createQueryBuilder('document')
      .select(['document.signingId', 'document.index', 'document.original'])
      .where('document.signingId = :signingId AND document.index = :index', { signingId: document.signingId, index: document.index })
      .getOneOrFail();
    // Retention erases the originals of finished signings only, never of one still being completed.
    if (!row.original) throw new Error(`The original of document ${document.index} of signing ${document.signingId} was erased`);
    return row.original;
  }

  private async languageOf(signing: Signing): Promise<BtrustLanguage> {
    const identification = await this.dataSource.getRepository(WebIdentification).findOneBy({ id: signing.webIdentificationId });
    return (identification?.language as BtrustLanguage | undefined) ?? 'bg';
  }

  private signings() {
    return this.dataSource.getRepository(Signing);
  }

  private documents() {
    return this.dataSource.getRepository(SigningDocument);
  }
}

function signingInProgress(): SigningError {
  return new SigningError(
    SigningErrorCode.SIGNING_IN_PROGRESS,
    'This identification already has a signing waiting for the person, or one whose start B-Trust may have received (OUTCOME_UNKNOWN, ' +
      'until an operator resolves it). Wait for it to end (SIGNED, REJECTED, EXPIRED or FAILED): another signing may then be started ' +
      'on the same sign session while it lasts.',
  );
}

/**
 * Stores the returned documents that match no original, each once (by its
 * SHA-256), at its position in B-Trust's answer or after those already kept,
 * and counts them on the signing.
 */
async function keepUnmatched(manager: EntityManager, signingId: string, unmatched: UnmatchedDocument[]): Promise<void> {
  if (unmatched.length === 0) return;
  const repository = manager.getRepository(SigningUnmatchedDocument);
  const kept = await repository.find({ where: { signingId }, select: { position: true, sha256: true } });
  const positions = new Set(kept.map((document) => document.position));
  const hashes = new Set(kept.map((document) => document.sha256));
  for (const document of unmatched) {
    const hash = sha256(document.content);
    if (hashes.has(hash)) continue;
    const position = positions.has(document.position) ? Math.max(...positions) + 1 : document.position;
    await repository.insert({ signingId, position, fileName: document.fileName, content: document.content, sha256: hash, size: document.content.length });
    positions.add(position);
    hashes.add(hash);
  }
  await manager.update(Signing, { id: signingId }, { unmatchedDocuments: positions.size });
}

/**
 * Only the sign session the signing used is replaced: should a later one
 * already be stored, it stays.
 */
async function rotateSignSession(manager: EntityManager, signing: Signing, signSessionId: string, expiresAt: Date | null): Promise<void> {
  await manager.query(
    `UPDATE web_identifications SET sign_session_id = $1, sign_session_expires_at = COALESCE($2, sign_session_expires_at), updated_at = now()
      WHERE id = $3 AND sign_session_id = $4`,
    [signSessionId, expiresAt, signing.webIdentificationId, signing.signSessionId],
  );
}

function isPast(date: Date | null): boolean {
  return date !== null && date.getTime() <= Date.now();
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The signer's name goes to its encrypted column; the verification's JSON keeps no personal data in clear. */
function storedVerification(verification: SignedDocumentVerification): Pick<SigningDocument, 'verification' | 'signerName'> {
  const { signer } = verification;
  return {
    verification: { ...verification, signer: signer ? { ...signer, commonName: null } : null },
    signerName: signer?.commonName ?? null,
  };
}
