import { Injectable } from '@nestjs/common';
import { RequestError } from '../common/problem/request-error';
import { SigningDocument } from './signing-document.entity';
import { SigningUnmatchedDocument } from './signing-unmatched-document.entity';
import { Signing } from './signing.entity';
import { SigningError, SigningErrorCode } from './signing.errors';
import { SigningRepository } from './signing.repository';

/** Webhooks for a signing may come a little after its nominal expiry. */
export const CALLBACK_URL_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Scenario 3's records: a signing and its documents as the caller and
 * operators read them. A signing changes status only through moveSigning
 * (signing.state.ts), which SigningRepository applies. Starting a signing is SigningCreationService's, reading B-Trust's verdict
 * SigningReconciliationService's, and applying the signed documents
 * SigningCompletionService's.
 */
@Injectable()
export class SigningsService {
  constructor(private readonly records: SigningRepository) {}

  async findOwned(owner: string, id: string): Promise<Signing> {
    const found = await this.records.findOwned(owner, id);
    if (!found) throw RequestError.notFound('The signing');
    return found;
  }

  async documentsOf(signingId: string): Promise<SigningDocument[]> {
    return this.records.documentsOf(signingId);
  }

  /** The signed PDF of one document, once the signing is SIGNED. */
  async signedDocument(owner: string, id: string, index: number): Promise<{ fileName: string; content: Buffer }> {
    const signing = await this.findOwned(owner, id);
    const document = await this.records.findWithSignedContent(id, index);
    if (!document) throw RequestError.notFound('The document');
    if (signing.status !== 'SIGNED' || !document.signed) {
      throw new SigningError(SigningErrorCode.NOT_SIGNED, `The signing is ${signing.status}; signed documents exist only once it is SIGNED.`);
    }
    return { fileName: document.fileName, content: document.signed };
  }

  /** The signed documents of a signing that match none of its originals, as operators see them (no content). */
  async unmatchedDocumentsOf(signingId: string): Promise<SigningUnmatchedDocument[]> {
    if (!(await this.records.exists(signingId))) throw RequestError.notFound('The signing');
    return this.records.unmatchedDocumentsOf(signingId);
  }

  /** One unmatched signed document's PDF, for an operator. */
  async unmatchedDocument(signingId: string, position: number): Promise<{ fileName: string; content: Buffer }> {
    // Positions are smallint: anything else names no document.
    if (!Number.isInteger(position) || position < 0 || position > 32_767) throw RequestError.notFound('The unmatched document');
    const document = await this.records.findUnmatchedWithContent(signingId, position);
    if (!document) throw RequestError.notFound('The unmatched document');
    return { fileName: `unmatched-${position + 1}.pdf`, content: document.content };
  }
}
