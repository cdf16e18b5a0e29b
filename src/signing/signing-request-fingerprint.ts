import { createHash } from 'node:crypto';
import type { SigningInput } from './signing.types';

/**
 * What makes two signing requests the same, for Idempotency-Key: everything
 * but the documents' bytes, which are represented by their SHA-256 so that a
 * repeat is recognised without serializing megabytes of content.
 */
export function signingRequestFingerprint(identificationId: string, input: SigningInput): Record<string, unknown> {
  return {
    identificationId,
    documents: input.documents.map((document) => ({
      fileName: document.fileName,
      title: document.title,
      sha256: createHash('sha256').update(document.content).digest('hex'),
      visibleSignature: document.visibleSignature ? { ...document.visibleSignature } : undefined,
      archive: document.archive,
    })),
    emailSignedDocuments: input.emailSignedDocuments,
    successUrl: input.successUrl,
    cancelUrl: input.cancelUrl,
  };
}
