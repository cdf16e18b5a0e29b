import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RequestError } from '../common/problem/request-error';
import { SigningDocument } from './signing-document.entity';
import { SigningUnmatchedDocument } from './signing-unmatched-document.entity';
import { Signing } from './signing.entity';
import { SigningError, SigningErrorCode } from './signing.errors';

export type SigningChanges = Partial<Omit<Signing, 'id' | 'status' | 'owner'>>;

/** Webhooks for a signing may come a little after its nominal expiry. */
export const CALLBACK_URL_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Scenario 3's records: a signing and its documents as the caller and
 * operators read them. A signing changes status only through moveSigning
 * (signing.state.ts). Starting a signing is SigningCreationService's, reading B-Trust's verdict
 * SigningReconciliationService's, and applying the signed documents
 * SigningCompletionService's.
 */
@Injectable()
export class SigningsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  private signings() {
    return this.dataSource.getRepository(Signing);
  }

  private documents() {
    return this.dataSource.getRepository(SigningDocument);
  }
}
