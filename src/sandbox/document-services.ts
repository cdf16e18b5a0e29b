import { PDFDocument, StandardFonts } from 'pdf-lib';
import { EidCertificateInput, renderEidCertificatePdf } from './documents/eid-certificate-pdf';
import { signPdfWithPades } from './documents/pades-signer';
import { appendAfterSignature, flipByteInSignedRange } from './documents/tampering';
import { TamperFaultKind } from './fault-injector';
import { IdentifierType, semanticsIdentifierFor, splitFullName } from './person-identifiers';
import {
  IssuedCertificate,
  createCertificateAuthority,
  issueOneTimeSigningCertificate,
} from './pki/certificate-authority';
import { DocumentToSign, SignedDocument } from './provider-records';

/** What the certificate states of the person; the relying party it names is always this sandbox's own. */
export type EidCertificateFacts = Omit<EidCertificateInput, 'relyingPartyId'>;

export interface Signatory {
  fullName: string;
  identifierType: IdentifierType;
  identifierValue: string;
}

// BORICA AD's company number; the eID certificate carries the provider's seal, as the "AUTOMATIC_AGENT_SIGNED_CLIENT_DOCUMENT" status says.
const SEAL_SUBJECT = { commonName: 'B-Trust Sandbox Identification Seal', serialNumber: 'NTRBG-201230426', country: 'BG' };
const SEAL_VALIDITY_MINUTES = 365 * 24 * 60;
const FOREIGN_CA_NAME = 'Foreign Test CA (not B-Trust)';

/**
 * The documents the sandbox produces: sealed eID certificates, PDFs signed
 * with a one-time certificate of the identified person, and the tampered
 * results the control API asks for.
 */
export class DocumentServices {
  private seal?: IssuedCertificate;
  private foreignCa?: IssuedCertificate;

  constructor(
    private readonly signingCa: IssuedCertificate,
    private readonly relyingPartyId: string,
  ) {}

  async issueEidCertificate(facts: EidCertificateFacts): Promise<Buffer> {
    const pdf = await renderEidCertificatePdf({ ...facts, relyingPartyId: this.relyingPartyId });
    this.seal ??= issueOneTimeSigningCertificate(this.signingCa, SEAL_SUBJECT, SEAL_VALIDITY_MINUTES);
    return signPdfWithPades(
      pdf,
      { ...this.seal, chainPems: [this.signingCa.certificatePem] },
      { signingTime: facts.identifiedAt, signerName: SEAL_SUBJECT.commonName, reason: 'Electronic identity certificate' },
    );
  }

  /** One one-time certificate per document, as each document is its own signing operation at B-Trust. */
  async signWithOneTimeCertificates(signatory: Signatory, documents: DocumentToSign[], signingTime: Date): Promise<SignedDocument[]> {
    const signed: SignedDocument[] = [];
    for (const document of documents) {
      signed.push({
        filename: document.fileName,
        content: await this.signAs(this.signingCa, signatory, document.content, signingTime, document),
      });
    }
    return signed;
  }

  /** Throws when the bytes are not a PDF pdf-lib can open, or a signature position names a page it lacks. */
  async assertSignable(document: DocumentToSign): Promise<void> {
    const pdf = await PDFDocument.load(document.content, { updateMetadata: false });
    const page = document.signaturePosition?.pageNumber;
    if (page !== undefined && page > pdf.getPageCount()) {
      throw new Error('signaturePosition.pageNumber is beyond the last page');
    }
  }

  async tamper(kind: TamperFaultKind, signatory: Signatory, original: DocumentToSign, signed: Buffer): Promise<Buffer> {
    switch (kind) {
      case 'tamper-flip-byte':
        return flipByteInSignedRange(signed);
      case 'tamper-append':
        return appendAfterSignature(signed);
      case 'tamper-foreign-ca':
        this.foreignCa ??= createCertificateAuthority(FOREIGN_CA_NAME);
        return this.signAs(this.foreignCa, signatory, original.content, new Date(), original);
      case 'tamper-other-document':
      case 'extra-document':
        return this.signAs(this.signingCa, signatory, await otherDocument(), new Date(), { padesVisualSignature: false });
    }
  }

  private async signAs(
    ca: IssuedCertificate,
    signatory: Signatory,
    pdf: Buffer,
    signingTime: Date,
    appearance: Pick<DocumentToSign, 'padesVisualSignature' | 'signaturePosition'>,
  ): Promise<Buffer> {
    const certificate = issueOneTimeSigningCertificate(ca, {
      commonName: signatory.fullName,
      serialNumber: semanticsIdentifierFor(signatory.identifierType, signatory.identifierValue),
      country: 'BG',
      ...splitFullName(signatory.fullName),
    });
    const position = appearance.padesVisualSignature ? appearance.signaturePosition : undefined;
    return signPdfWithPades(
      pdf,
      { ...certificate, chainPems: [ca.certificatePem] },
      {
        signingTime,
        signerName: signatory.fullName,
        visibleSignature: position && {
          pageNumber: position.pageNumber,
          x: position.imageXAxis,
          y: position.imageYAxis,
          width: position.imageWidth,
          height: position.imageHeight,
        },
      },
    );
  }
}

async function otherDocument(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([595.28, 841.89]).drawText('A document the relying party never sent.', { x: 56, y: 780, size: 14, font });
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
