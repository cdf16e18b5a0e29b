import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SignedDocuments } from '../btrust/btrust.types';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import { TransitionOutcome } from '../common/state-machine/apply-transition';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { MatchedBy, matchSignedDocuments } from './signed-document-matching';
import { SigningDocument } from './signing-document.entity';
import { Signing } from './signing.entity';
import { PairedDocument, SigningChanges, SigningRepository, UnmatchedDocument } from './signing.repository';
import { SigningStatus } from './signing.state';
import { CALLBACK_URL_GRACE_MS, SigningsService } from './signings.service';
import { SignedPdfValidator } from './verification/signed-pdf-validator';

/**
 * Scenario 3's end: the signed documents B-Trust returned (3.3) are paired
 * with the originals, each verified, and stored before the signing is SIGNED.
 */
@Injectable()
export class SigningCompletionService {
  private readonly logger = new Logger(SigningCompletionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly records: SigningRepository,
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

    let referenceSigner = await this.records.referenceSignerOf(signing.webIdentificationId);
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
    const outcome = await this.records.completeWith(signing, {
      to,
      cause,
      changes,
      detail,
      paired,
      unmatched,
      nextSignSession: result.signSessionId ? { id: result.signSessionId, expiresAt: result.signSessionExpiresAt } : null,
    });
    if (outcome.result === 'moved' && result.signSessionExpiresAt) {
      await this.callbackEndpoints.extend(signing.webIdentificationId, new Date(result.signSessionExpiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    }
    return outcome;
  }

  private async originalContent(document: SigningDocument): Promise<Buffer> {
    const original = await this.records.originalOf(document);
    // Retention erases the originals of finished signings only, never of one still being completed.
    if (!original) throw new Error(`The original of document ${document.index} of signing ${document.signingId} was erased`);
    return original;
  }
}

