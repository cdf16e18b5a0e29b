import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SignedDocuments } from '../btrust/btrust.types';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import { TransitionOutcome } from '../common/state-machine/apply-transition';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { sha256Hex } from './sha256';
import { MatchedBy, matchSignedDocuments } from './signed-document-matching';
import { SigningDocument } from './signing-document.entity';
import { SigningUnmatchedDocument } from './signing-unmatched-document.entity';
import { Signing } from './signing.entity';
import { moveSigning, SigningStatus } from './signing.state';
import type { SignedDocumentVerification } from './signing.types';
import { CALLBACK_URL_GRACE_MS, SigningChanges, SigningsService } from './signings.service';
import { SignedPdfValidator } from './verification/signed-pdf-validator';

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

/**
 * Scenario 3's end: the signed documents B-Trust returned (3.3) are paired
 * with the originals, each verified, and stored before the signing is SIGNED.
 */
@Injectable()
export class SigningCompletionService {
  private readonly logger = new Logger(SigningCompletionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly callbackEndpoints: CallbackEndpointsService,
    private readonly signedPdfValidator: SignedPdfValidator,
    private readonly metrics: CasMetrics,
    private readonly signings: SigningsService,
  ) {}

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
  async complete(signing: Signing, resultId: string, result: SignedDocuments, cause: string): Promise<TransitionOutcome<Signing>> {
    const originals = await this.signings.documentsOf(signing.id);
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
      const verification = await this.signedPdfValidator.validate(content, originalContents[position], referenceSigner);
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
        failure: { code: 'SIGNED_DOCUMENTS_MISMATCH', message: `B-Trust returned ${result.documents.length} document(s) for ${originals.length} sent; ${unsigned} original(s) matched none. Every returned document is kept.` },
      };
    } else if (invalid.length > 0 && this.config.signing.rejectInvalid) {
      to = 'FAILED';
      changes = { ...base, failure: { code: 'VERIFICATION_FAILED', message: `${invalid.length} signed document(s) failed verification` } };
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
      const moved = await moveSigning.within(manager, signing.id, to, cause, changes, detail);
      // Another answer of 3.3 may have ended the signing first: what this one returned beyond it is kept all the same.
      await keepUnmatched(manager, signing.id, unmatched);
      if (moved.result !== 'moved') return moved;
      for (const document of paired) {
        await manager.update(
          SigningDocument,
          { signingId: signing.id, index: document.index },
          {
            signed: document.content,
            signedSha256: sha256Hex(document.content),
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
    const row = await this.dataSource
      .getRepository(SigningDocument)
      .createQueryBuilder('document')
      .select(['document.signingId', 'document.index', 'document.original'])
      .where('document.signingId = :signingId AND document.index = :index', { signingId: document.signingId, index: document.index })
      .getOneOrFail();
    // Retention erases the originals of finished signings only, never of one still being completed.
    if (!row.original) throw new Error(`The original of document ${document.index} of signing ${document.signingId} was erased`);
    return row.original;
  }
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
    const hash = sha256Hex(document.content);
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

/** The signer's name goes to its encrypted column; the verification's JSON keeps no personal data in clear. */
function storedVerification(verification: SignedDocumentVerification): Pick<SigningDocument, 'verification' | 'signerName'> {
  const { signer } = verification;
  return {
    verification: { ...verification, signer: signer ? { ...signer, commonName: null } : null },
    signerName: signer?.commonName ?? null,
  };
}
