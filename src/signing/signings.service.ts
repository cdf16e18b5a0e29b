import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { BtrustClient } from '../btrust/btrust.client';
import { BtrustError, isProviderAnswer } from '../btrust/btrust.errors';
import type { BtrustLanguage, SignedDocuments } from '../btrust/btrust.types';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import { providerFailure } from '../btrust/provider-failure';
import type { FieldProblem } from '../common/problem/problem';
import { RequestError } from '../common/problem/request-error';
import { applyTransition, recordCreation, TransitionOutcome } from '../common/state-machine/apply-transition';
import { isAllowedRedirectUrl } from '../common/validation/redirect-urls';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { WebIdentificationsService } from '../identification/web/web-identifications.service';
import { inspectPdf, PdfInspectionError } from './pdf/pdf-inspection';
import { matchSignedDocuments } from './signed-document-matching';
import { SignedDocumentVerifier } from './signed-document-verifier';
import { SigningDocument } from './signing-document.entity';
import { assertWithinLimits, duplicateFileNameProblems, visibleSignatureProblems } from './signing-request-rules';
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
/**
 * Reading: scenario 5 lists PROCESS_IS_CANCELED_BY_USER among the statuses;
 * asked with a signing's resultId it is how B-Trust says the person refused.
 */
const CANCELLED_BY_USER = 'PROCESS_IS_CANCELED_BY_USER';

/** What a webhook adds to a reconciliation: it is a hint, confirmed with B-Trust before anything changes. */
export interface SigningHint {
  /** The webhook's resultId, used when 3.1 answered without one. */
  resultId?: string;
  /** The webhook's `code` was REJECTED. */
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
  ) {}

  /**
   * Every rule is checked before the (paid) call to B-Trust; the signing and
   * its documents are stored before it, so a signing that reached B-Trust is
   * never lost. A provider failure ends the signing FAILED.
   */
  async create(owner: string, identificationId: string, input: SigningInput, language: BtrustLanguage | undefined): Promise<Signing> {
    const identification = await this.identifications.findOwned(owner, identificationId);
    assertWithinLimits(
      input.documents.map((document) => document.content.length),
      this.config.signing,
    );
    this.assertAllowedRedirects(input);
    assertCanSign(identification);
    await this.assertSignableDocuments(input);

    const id = randomUUID();
    const signSession = await this.insertPending(id, owner, identificationId, input);
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
      await this.move(id, 'FAILED', 'api', { failureCode: error.code, failureMessage: `startSignSession: ${error.providerMessage ?? error.message}` });
      throw providerFailure(error);
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
   * Asks B-Trust where a PENDING signing stands (3.3) and applies the verdict:
   * the signed documents → SIGNED (or FAILED, see complete); not there yet →
   * unchanged, or EXPIRED once the signing page has expired; refused → REJECTED
   * or EXPIRED. Used by webhooks and by the reconciliation of missed ones.
   * Provider errors that say nothing about the signing propagate to the
   * caller, which decides whether to retry.
   */
  async reconcile(signing: Signing, cause: string, hint: SigningHint = {}): Promise<TransitionOutcome<Signing> | null> {
    if (signingMachine.isFinal(signing.status)) return null;
    const resultId = signing.resultId ?? hint.resultId;
    if (!resultId) return this.failIfNeverStarted(signing, cause);
    const options = { language: await this.languageOf(signing) };

    let result: SignedDocuments;
    try {
      result = await this.btrust.getSignedDocuments({ resultId, sessionId: signing.signSessionId }, options);
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      // Reading: 3.3 answers 404 NOT_FOUND ("has not found the signed content") until the person has signed.
      if (error.code === 'NOT_FOUND') return this.expireIfDue(signing, cause);
      if (error.code === 'REJECTED') return this.endUnsigned(signing, resultId, cause, hint, options.language);
      throw error;
    }
    return this.complete(signing, resultId, result, cause);
  }

  /**
   * Stores and verifies the signed documents, then moves to SIGNED — or to
   * FAILED when they cannot be matched to the originals, or when one fails
   * verification and SIGNING_REJECT_INVALID is set. Either way the sign
   * session B-Trust handed back becomes the identification's next one.
   */
  private async complete(signing: Signing, resultId: string, result: SignedDocuments, cause: string): Promise<TransitionOutcome<Signing>> {
    const originals = await this.documentsOf(signing.id);
    const match = matchSignedDocuments(
      originals.map((original) => original.fileName),
      result.documents.map((document) => document.fileName),
    );
    if (!match.matched) {
      return this.finish(signing, 'FAILED', cause, { resultId, failureCode: 'SIGNED_DOCUMENTS_MISMATCH', failureMessage: match.reason }, result, []);
    }

    let referenceSigner = await this.referenceSignerOf(signing.webIdentificationId);
    const verified: Array<{ index: number; content: Buffer; verification: SignedDocumentVerification }> = [];
    for (const original of originals) {
      const content = result.documents[match.signedIndexFor[original.index]].content;
      const verification = await this.verifier.verify(content, await this.originalContent(original), referenceSigner);
      if (verification.valid) referenceSigner ??= verification.signer?.serialNumberIndex ?? null;
      verified.push({ index: original.index, content, verification });
    }

    const invalid = verified.filter((document) => !document.verification.valid);
    const to: SigningStatus = invalid.length > 0 && this.config.signing.rejectInvalid ? 'FAILED' : 'SIGNED';
    const changes: SigningChanges =
      to === 'FAILED'
        ? { resultId, failureCode: 'VERIFICATION_FAILED', failureMessage: `${invalid.length} signed document(s) failed verification` }
        : { resultId, signedAt: new Date() };
    const outcome = await this.finish(signing, to, cause, changes, result, verified);
    if (outcome.result !== 'moved') return outcome;
    for (const document of verified) this.metrics.signedPdfVerifications.inc({ result: document.verification.valid ? 'valid' : 'invalid' });
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

  /** The transition, the signed documents and the identification's next sign session, in one transaction. */
  private async finish(
    signing: Signing,
    to: SigningStatus,
    cause: string,
    changes: SigningChanges,
    result: SignedDocuments,
    verified: Array<{ index: number; content: Buffer; verification: SignedDocumentVerification }>,
  ): Promise<TransitionOutcome<Signing>> {
    const invalidDocuments = verified.filter((document) => !document.verification.valid).length;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const moved = await this.transition(manager, signing.id, to, cause, changes, { documents: verified.length, invalidDocuments });
      if (moved.result !== 'moved') return moved;
      for (const document of verified) {
        await manager.update(
          SigningDocument,
          { signingId: signing.id, index: document.index },
          { signed: document.content, signedSha256: sha256(document.content), verification: document.verification },
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
   * Reading: 3.3 answers REJECTED once a signing has ended without a
   * signature, whether the person refused or the signing page expired. A
   * webhook with code REJECTED, or scenario 5 reporting the signing
   * PROCESS_IS_CANCELED_BY_USER, says the person refused; anything else is
   * taken as expiry (the document names no other outcome).
   */
  private async endUnsigned(
    signing: Signing,
    resultId: string,
    cause: string,
    hint: SigningHint,
    language: BtrustLanguage,
  ): Promise<TransitionOutcome<Signing>> {
    let refused = hint.rejected === true;
    if (!refused) {
      try {
        refused = (await this.btrust.getWebIdentificationStatus(resultId, { language })).status === CANCELLED_BY_USER;
      } catch (error) {
        if (!(error instanceof BtrustError) || !isProviderAnswer(error)) throw error;
        refused = !isPast(signing.expiresAt);
      }
    }
    return refused
      ? this.move(signing.id, 'REJECTED', cause, { resultId, failureCode: 'REJECTED', failureMessage: 'The person refused to sign.' })
      : this.move(signing.id, 'EXPIRED', cause, { resultId, failureCode: 'EXPIRED', failureMessage: 'The signing page expired before the person signed.' });
  }

  private async expireIfDue(signing: Signing, cause: string): Promise<TransitionOutcome<Signing> | null> {
    if (!isPast(signing.expiresAt)) return null;
    return this.move(signing.id, 'EXPIRED', cause, { failureCode: 'EXPIRED', failureMessage: 'The signing page expired before the person signed.' });
  }

  /** B-Trust never answered 3.1 (the server stopped mid-call): nothing to ask about, once that call surely ended. */
  private async failIfNeverStarted(signing: Signing, cause: string): Promise<TransitionOutcome<Signing> | null> {
    if (Date.now() - signing.createdAt.getTime() < this.config.btrust.timeoutMs * 2) return null;
    return this.move(signing.id, 'FAILED', cause, {
      failureCode: 'PROVIDER_OUTCOME_UNKNOWN',
      failureMessage: 'The server stopped before B-Trust confirmed the request.',
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
  ): Promise<{ clientIdentificator: string; signSessionId: string; expiresAt: Date | null }> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const identification = await manager
          .getRepository(WebIdentification)
          .findOne({ where: { id: identificationId }, lock: { mode: 'pessimistic_write' } });
        if (!identification) throw RequestError.notFound('The web identification');
        assertCanSign(identification);
        if (await manager.getRepository(Signing).existsBy({ webIdentificationId: identificationId, status: 'PENDING' })) {
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
          });
        }
        await recordCreation(manager, signingMachine, id, 'PENDING', 'api');
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

  private async assertSignableDocuments(input: SigningInput): Promise<void> {
    const problems: FieldProblem[] = duplicateFileNameProblems(input.documents.map((document) => document.fileName));
    for (const [index, document] of input.documents.entries()) {
      try {
        const inspection = await inspectPdf(document.content);
        if (document.visibleSignature) problems.push(...visibleSignatureProblems(index, document.visibleSignature, inspection));
      } catch (error) {
        if (!(error instanceof PdfInspectionError)) throw error;
        problems.push({ field: `documents.${index}.content`, codes: [error.code], messages: [`documents.${index}: ${error.message}`] });
      }
    }
    if (problems.length > 0) throw RequestError.invalid(problems);
  }

  private assertAllowedRedirects(input: SigningInput): void {
    const origins = this.config.identification.allowedRedirectOrigins;
    const problems: FieldProblem[] = (['successUrl', 'cancelUrl'] as const)
      .filter((field) => !isAllowedRedirectUrl(input[field], origins))
      .map((field) => ({
        field,
        codes: ['REDIRECT_NOT_ALLOWED'],
        messages: [`${field} must be an absolute URL on one of the allowed origins (${origins.join(', ')})`],
      }));
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

/** A sign session is used once; only an IDENTIFIED identification with an unexpired one can sign. */
function assertCanSign(identification: WebIdentification): void {
  if (identification.status !== 'IDENTIFIED' || !identification.signSessionId || !identification.clientIdentificator) {
    throw new SigningError(
      SigningErrorCode.NOT_IDENTIFIED,
      `The identification is ${identification.status}; documents can be signed only once it is IDENTIFIED.`,
    );
  }
  if (isPast(identification.signSessionExpiresAt)) {
    throw new SigningError(
      SigningErrorCode.SIGN_SESSION_EXPIRED,
      'The sign session of this identification has expired; identify the person again to sign.',
    );
  }
}

function signingInProgress(): SigningError {
  return new SigningError(
    SigningErrorCode.SIGNING_IN_PROGRESS,
    'This identification already has a signing waiting for the person. Wait for it to end (SIGNED, REJECTED, EXPIRED or FAILED): ' +
      'another signing may then be started on the same sign session while it lasts.',
  );
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
