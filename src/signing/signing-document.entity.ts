import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { encryptedBytes, encryptedText } from '../common/crypto/encrypted-column';
import type { ActiveContent } from './pdf/pdf-inspection';
import type { MatchedBy } from './signed-document-matching';
import type { SignedDocumentVerification, VisibleSignature } from './signing.types';
import { Signing } from './signing.entity';

/** The stable name bound into the signer name's ciphertexts. */
export const SIGNER_NAME_FIELD = 'signing_documents.signer_name';

/**
 * One PDF of a signing: what we sent and what came back. The contents are
 * never loaded with the row (`select: false`); they are read one at a time.
 */
@Entity({ name: 'signing_documents' })
export class SigningDocument {
  @PrimaryColumn({ name: 'signing_id', type: 'uuid' })
  signingId: string;

  @ManyToOne(() => Signing, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'signing_id' })
  signing?: Signing;

  /** 0-based position in the request. B-Trust's answer may come in another order: see signed-document-matching.ts. */
  @PrimaryColumn({ type: 'smallint' })
  index: number;

  @Column({ name: 'file_name', type: 'text' })
  fileName: string;

  @Column({ type: 'text' })
  title: string;

  /** Encrypted at rest (AES-256-GCM); null once retention erased it (the SHA-256 stays). */
  @Column({
    name: 'original_encrypted',
    type: 'bytea',
    nullable: true,
    select: false,
    transformer: encryptedBytes('signing_documents.original'),
  })
  original: Buffer | null;

  @Column({ name: 'original_sha256', type: 'text' })
  originalSha256: string;

  /** Encrypted at rest (AES-256-GCM); null until signed, and again once retention erased it. */
  @Column({
    name: 'signed_encrypted',
    type: 'bytea',
    nullable: true,
    select: false,
    transformer: encryptedBytes('signing_documents.signed'),
  })
  signed: Buffer | null;

  @Column({ name: 'signed_sha256', type: 'text', nullable: true })
  signedSha256: string | null;

  /** B-Trust's `filename` for the signed document; nothing says it is the name we sent. */
  @Column({ name: 'signed_file_name', type: 'text', nullable: true })
  signedFileName: string | null;

  /** How the signed document was paired with this original; `order` means its content did not show it. */
  @Column({ name: 'matched_by', type: 'text', nullable: true })
  matchedBy: MatchedBy | null;

  @Column({ name: 'visible_signature', type: 'jsonb', nullable: true })
  visibleSignature: VisibleSignature | null;

  /** Null: not asked for, so not sent to B-Trust. */
  @Column({ type: 'boolean', nullable: true })
  archive: boolean | null;

  /** What inspectPdf found in the original (see SIGNING_ACTIVE_CONTENT); null for documents stored before it looked. */
  @Column({ name: 'active_content', type: 'text', array: true, nullable: true })
  activeContent: ActiveContent[] | null;

  /** The signed PDF's verification, without the signer's name (`signer.commonName` is null here: see signerName). */
  @Column({ type: 'jsonb', nullable: true })
  verification: SignedDocumentVerification | null;

  /**
   * The signer's name from the signing certificate, encrypted at rest like the
   * other personal fields; null until verified, and again once retention
   * erased it.
   */
  @Column({ name: 'signer_name_encrypted', type: 'bytea', nullable: true, transformer: encryptedText(SIGNER_NAME_FIELD) })
  signerName: string | null;
}
