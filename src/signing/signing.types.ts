import type { PadesSignatureProblem } from './verification/pades-signature';

/** Where the visible signature goes: a 1-based page and a box in points, measured from the page's top-left corner. */
export interface VisibleSignature {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A document of a signing request, after parsing and before validation; `content` is the one copy held. */
export interface DocumentInput {
  fileName: string;
  title: string;
  content: Buffer;
  visibleSignature?: VisibleSignature;
  archive?: boolean;
}

/** A signing request, whichever form (JSON or multipart) it arrived in. */
export interface SigningInput {
  documents: DocumentInput[];
  emailSignedDocuments: boolean;
  successUrl: string;
  cancelUrl: string;
}

export type SignerProblem =
  /** The signer certificate's serialNumber is not an ETSI natural-person identifier (PNO, IDC, PAS). */
  | 'SIGNER_NOT_A_PERSON'
  /** Another person signed than the one who signed the other documents of this identification. */
  | 'SIGNER_CHANGED'
  /** BTRUST_SIGNING_TRUST_ANCHORS is not configured, so nothing can be trusted. */
  | 'TRUST_ANCHORS_NOT_CONFIGURED';

export type SignedDocumentProblem = PadesSignatureProblem | SignerProblem;

/** The stored verdict on one signed PDF. Dates are ISO strings: it lives in a jsonb column. */
export interface SignedDocumentVerification {
  valid: boolean;
  /** serialNumber is masked; serialNumberIndex is its blind index, for comparing signers. */
  signer: { commonName: string | null; serialNumber: string | null; serialNumberIndex: string | null } | null;
  signedAt: string | null;
  problems: SignedDocumentProblem[];
}
