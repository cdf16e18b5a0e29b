import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { encryptedBytes } from '../common/crypto/encrypted-column';
import { Signing } from './signing.entity';

/**
 * A signed document B-Trust returned (3.3) that matches none of the originals sent: it may be a
 * signed contract all the same, so it is kept, counted on the signing and listed for operators.
 * Nothing deletes it.
 */
@Entity({ name: 'signing_unmatched_documents' })
export class SigningUnmatchedDocument {
  @PrimaryColumn({ name: 'signing_id', type: 'uuid' })
  signingId: string;

  @ManyToOne(() => Signing, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'signing_id' })
  signing?: Signing;

  /** 0-based position in B-Trust's answer. */
  @PrimaryColumn({ type: 'smallint' })
  position: number;

  /** B-Trust's `filename`, as it came. */
  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName: string | null;

  /** Encrypted at rest (AES-256-GCM). */
  @Column({ name: 'content_encrypted', type: 'bytea', select: false, transformer: encryptedBytes('signing_unmatched_documents.content') })
  content: Buffer;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ type: 'integer' })
  size: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
