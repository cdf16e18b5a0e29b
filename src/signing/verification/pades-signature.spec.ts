import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFRef, StandardFonts } from 'pdf-lib';
import { createCertificateAuthority, issueOneTimeSigningCertificate } from '../../sandbox/pki/certificate-authority';
import { signPdfWithPades } from '../../sandbox/documents/pades-signer';
import { appendAfterSignature, flipByteInSignedRange } from '../../sandbox/documents/tampering';
import { verifyPadesSignature } from './pades-signature';

async function documentSaying(text: string): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.addPage([612, 792]).drawText(text, { x: 72, y: 700, size: 14, font });
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

describe(verifyPadesSignature.name, () => {
  const trustedCa = createCertificateAuthority('Spec Trusted CA');
  const otherCa = createCertificateAuthority('Spec Other CA');
  const person = { commonName: 'Maria Ivanova', serialNumber: 'PNOBG-8001010000' };
  const otc = issueOneTimeSigningCertificate(trustedCa, person);
  const signer = { ...otc, chainPems: [trustedCa.certificatePem] };
  const trust = { trustAnchorsPem: [trustedCa.certificatePem] };
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  let original: Buffer;
  let signed: Buffer;

  beforeAll(async () => {
    original = await documentSaying('Contract No. 1');
    signed = await signPdfWithPades(original, signer, { signingTime, signerName: person.commonName });
  });

  it('accepts a genuine signature over the original and names the signer and signing time', async () => {
    await expect(verifyPadesSignature(signed, { ...trust, originalPdf: original })).resolves.toEqual({
      valid: true,
      signer: { commonName: 'Maria Ivanova', serialNumber: 'PNOBG-8001010000' },
      signedAt: signingTime,
      problems: [],
    });
  });

  it('reports DIGEST_MISMATCH when a signed byte was changed', async () => {
    const result = await verifyPadesSignature(flipByteInSignedRange(signed), trust);
    expect(result.problems).toEqual(['DIGEST_MISMATCH']);
    expect(result.valid).toBe(false);
  });

  it('reports BYTE_RANGE_NOT_WHOLE_FILE when content was appended after the signature', async () => {
    const result = await verifyPadesSignature(appendAfterSignature(signed), { ...trust, originalPdf: original });
    expect(result.problems).toEqual(['BYTE_RANGE_NOT_WHOLE_FILE']);
  });

  it('reports BYTE_RANGE_NOT_WHOLE_FILE when a later revision redefines an object after signing', async () => {
    const infoRef = (await PDFDocument.load(signed)).context.trailerInfo.Info as PDFRef;
    const revision = `\n${infoRef.objectNumber} 0 obj\n<< /Title (Changed after signing) >>\nendobj\n`;
    const updated = Buffer.concat([signed, Buffer.from(revision, 'latin1')]);
    expect((await PDFDocument.load(updated)).getTitle()).toBe('Changed after signing');
    expect((await verifyPadesSignature(updated, trust)).problems).toEqual(['BYTE_RANGE_NOT_WHOLE_FILE']);
  });

  it('reports UNTRUSTED_SIGNER for a certificate from a CA that is not a trust anchor', async () => {
    const stranger = issueOneTimeSigningCertificate(otherCa, person);
    const foreign = await signPdfWithPades(original, { ...stranger, chainPems: [otherCa.certificatePem] }, {
      signingTime,
      signerName: person.commonName,
    });
    const result = await verifyPadesSignature(foreign, { ...trust, originalPdf: original });
    expect(result.problems).toEqual(['UNTRUSTED_SIGNER']);
    expect(result.signer).toEqual(person);
  });

  it('reports UNTRUSTED_SIGNER when the CMS carries the trusted CA but another CA issued the signer', async () => {
    const stranger = issueOneTimeSigningCertificate(otherCa, person);
    const foreign = await signPdfWithPades(original, { ...stranger, chainPems: [trustedCa.certificatePem] }, {
      signingTime,
      signerName: person.commonName,
    });
    expect((await verifyPadesSignature(foreign, trust)).problems).toEqual(['UNTRUSTED_SIGNER']);
  });

  it('reports ORIGINAL_MODIFIED when the signed file is not an update of the original', async () => {
    const otherOriginal = await documentSaying('Contract No. 2');
    const result = await verifyPadesSignature(signed, { ...trust, originalPdf: otherOriginal });
    expect(result.problems).toEqual(['ORIGINAL_MODIFIED']);
  });

  it('reports SIGNATURE_INVALID when the signature was made with another key than the certificate', async () => {
    const impostor = issueOneTimeSigningCertificate(trustedCa, person);
    const forged = await signPdfWithPades(original, { certificatePem: impostor.certificatePem, privateKeyPem: otc.privateKeyPem, chainPems: [] }, {
      signingTime,
      signerName: person.commonName,
    });
    expect((await verifyPadesSignature(forged, trust)).problems).toEqual(['SIGNATURE_INVALID']);
  });

  it('reports CERTIFICATE_NOT_VALID_AT_SIGNING_TIME when the claimed time is outside the certificate validity', async () => {
    const backdated = await signPdfWithPades(original, signer, {
      signingTime: new Date(Date.now() - 24 * 3600 * 1000),
      signerName: person.commonName,
    });
    expect((await verifyPadesSignature(backdated, trust)).problems).toEqual(['CERTIFICATE_NOT_VALID_AT_SIGNING_TIME']);
  });

  it('reports MALFORMED_SIGNATURE when the /Contents hole holds no CMS container', async () => {
    const text = signed.toString('latin1');
    const holeStart = text.indexOf('/Contents <') + '/Contents <'.length;
    const holeEnd = text.indexOf('>', holeStart);
    const emptied = Buffer.from(text.slice(0, holeStart) + '0'.repeat(holeEnd - holeStart) + text.slice(holeEnd), 'latin1');
    expect((await verifyPadesSignature(emptied, trust)).problems).toEqual(['MALFORMED_SIGNATURE']);
  });

  it('reports NO_SIGNATURE for an unsigned PDF', async () => {
    await expect(verifyPadesSignature(original, trust)).resolves.toEqual({
      valid: false,
      signer: null,
      signedAt: null,
      problems: ['NO_SIGNATURE'],
    });
  });

  it.each([
    ['random bytes', () => randomBytes(4096)],
    ['an empty buffer', () => Buffer.alloc(0)],
    ['a PDF header followed by garbage', () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)])],
  ])('reports NOT_A_PDF for %s instead of throwing', async (_, bytes) => {
    const result = await verifyPadesSignature(bytes(), trust);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual(['NOT_A_PDF']);
  });

  it('reports a truncated signed PDF as a problem, not a throw', async () => {
    const result = await verifyPadesSignature(signed.subarray(0, signed.length - 200), trust);
    expect(result.valid).toBe(false);
    expect(result.problems.length).toBeGreaterThan(0);
  });

  it('refuses to run without a trust anchor', async () => {
    await expect(verifyPadesSignature(signed, { trustAnchorsPem: [] })).rejects.toThrow('trust anchor');
  });
});
