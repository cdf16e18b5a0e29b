import * as asn1js from 'asn1js';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFPage, PDFString, StandardFonts } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { verifyPadesSignature } from '../../signing/verification/pades-signature';
import { createCertificateAuthority, issueOneTimeSigningCertificate } from '../pki/certificate-authority';
import { signPdfWithPades } from './pades-signer';

const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;

async function twoPagePdf(options: { useObjectStreams: boolean }): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const label of ['First page', 'Second page']) {
    document.addPage([PAGE_WIDTH, PAGE_HEIGHT]).drawText(label, { x: 72, y: 760, size: 18, font });
  }
  const link = document.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: [72, 700, 200, 720],
    Border: [0, 0, 0],
    A: { S: 'URI', URI: PDFString.of('https://example.com/') },
  });
  document.getPages()[0].node.set(PDFName.of('Annots'), document.context.obj([document.context.register(link)]));
  return Buffer.from(await document.save({ useObjectStreams: options.useObjectStreams }));
}

function signatureWidgets(page: PDFPage): PDFDict[] {
  const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  return (annots?.asArray() ?? [])
    .map((entry) => page.doc.context.lookup(entry, PDFDict))
    .filter((annotation) => annotation.get(PDFName.of('FT')) === PDFName.of('Sig'));
}

function rectangleOf(widget: PDFDict): number[] {
  return widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((entry) => (entry as PDFNumber).asNumber());
}

function signedAttributeTypes(document: PDFDocument): { attributes: string[]; certificateCount: number } {
  const widget = signatureWidgets(document.getPages().find((page) => signatureWidgets(page).length > 0) as PDFPage)[0];
  const signature = widget.lookup(PDFName.of('V'), PDFDict);
  const hex = (signature.get(PDFName.of('Contents')) as PDFHexString).asString();
  const der = Buffer.from(hex, 'hex');
  const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.length)).result });
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  return {
    attributes: (signedData.signerInfos[0].signedAttrs?.attributes ?? []).map((attribute) => attribute.type).sort(),
    certificateCount: signedData.certificates?.length ?? 0,
  };
}

describe(signPdfWithPades.name, () => {
  const root = createCertificateAuthority('Spec Qualified CA');
  const otc = issueOneTimeSigningCertificate(root, {
    commonName: 'Ivan Petrov',
    serialNumber: 'PNOBG-7805166742',
    givenName: 'Ivan',
    surname: 'Petrov',
    country: 'BG',
  });
  const signer = { ...otc, chainPems: [root.certificatePem] };
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  let classicPdf: Buffer;
  let xrefStreamPdf: Buffer;

  beforeAll(async () => {
    classicPdf = await twoPagePdf({ useObjectStreams: false });
    xrefStreamPdf = await twoPagePdf({ useObjectStreams: true });
  });

  it.each([
    ['a classic cross-reference table', () => classicPdf],
    ['a cross-reference stream', () => xrefStreamPdf],
  ])('appends a signature that verifies to a PDF with %s, keeping every original byte', async (_, input) => {
    const original = input();
    const signed = await signPdfWithPades(original, signer, { signingTime, signerName: 'Ivan Petrov' });

    expect(signed.length).toBeGreaterThan(original.length);
    expect(signed.subarray(0, original.length).equals(original)).toBe(true);
    const result = await verifyPadesSignature(signed, { originalPdf: original, trustAnchorsPem: [root.certificatePem] });
    expect(result).toEqual({
      valid: true,
      signer: { commonName: 'Ivan Petrov', serialNumber: 'PNOBG-7805166742' },
      signedAt: signingTime,
      problems: [],
    });
  });

  it('adds an invisible signature field on page 1 when no position is given', async () => {
    const signed = await signPdfWithPades(classicPdf, signer, { signingTime, signerName: 'Ivan Petrov' });
    const document = await PDFDocument.load(signed);
    const [first, second] = document.getPages();

    expect(document.getPageCount()).toBe(2);
    expect(signatureWidgets(first)).toHaveLength(1);
    expect(rectangleOf(signatureWidgets(first)[0])).toEqual([0, 0, 0, 0]);
    expect(signatureWidgets(second)).toHaveLength(0);
    expect(first.node.lookup(PDFName.of('Annots'), PDFArray).size()).toBe(2);
    const fields = document.getForm().getFields();
    expect(fields.map((field) => field.getName())).toEqual(['Signature1']);
  });

  it.each([1, 2])('draws a visible signature on page %i, converting the top-left position to PDF space', async (pageNumber) => {
    const signed = await signPdfWithPades(xrefStreamPdf, signer, {
      signingTime,
      signerName: 'Ivan Petrov',
      reason: 'Contract',
      visibleSignature: { pageNumber, x: 100, y: 150, width: 180, height: 60 },
    });
    const document = await PDFDocument.load(signed);
    const page = document.getPages()[pageNumber - 1];
    const widget = signatureWidgets(page)[0];

    expect(rectangleOf(widget)).toEqual([100, PAGE_HEIGHT - 150 - 60, 280, PAGE_HEIGHT - 150]);
    expect(widget.get(PDFName.of('P'))).toBe(page.ref);
    const appearance = widget.lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N'));
    const content = Buffer.from((appearance as unknown as { contents: Uint8Array }).contents).toString('latin1');
    const shown = [...content.matchAll(/<([0-9A-F]+)> Tj/g)].map((match) => Buffer.from(match[1], 'hex').toString('latin1'));
    expect(shown.join(' ')).toContain('Digitally signed by Ivan Petrov');
    expect(shown.join(' ')).toContain(signingTime.toISOString().slice(0, 10));
    const verification = await verifyPadesSignature(signed, { originalPdf: xrefStreamPdf, trustAnchorsPem: [root.certificatePem] });
    expect(verification.problems).toEqual([]);
  });

  it('signs an already signed PDF again, leaving the first signature intact', async () => {
    const once = await signPdfWithPades(classicPdf, signer, { signingTime, signerName: 'Ivan Petrov' });
    const twice = await signPdfWithPades(once, signer, {
      signingTime,
      signerName: 'Ivan Petrov',
      visibleSignature: { pageNumber: 1, x: 300, y: 700, width: 200, height: 80 },
    });
    const document = await PDFDocument.load(twice);

    expect(twice.subarray(0, once.length).equals(once)).toBe(true);
    expect(document.getForm().getFields().map((field) => field.getName())).toEqual(['Signature1', 'Signature2']);
    const verification = await verifyPadesSignature(twice, { originalPdf: once, trustAnchorsPem: [root.certificatePem] });
    expect(verification.valid).toBe(true);
  });

  it('builds a PAdES baseline CMS: content type, message digest and signing certificate v2, with the chain', async () => {
    const signed = await signPdfWithPades(classicPdf, signer, { signingTime, signerName: 'Ivan Petrov' });
    const { attributes, certificateCount } = signedAttributeTypes(await PDFDocument.load(signed));

    expect(attributes).toEqual(['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4']);
    expect(certificateCount).toBe(2);
  });

  it('writes the signing time, the signer name and the PAdES SubFilter into the signature dictionary', async () => {
    const signed = await signPdfWithPades(classicPdf, signer, { signingTime, signerName: 'Иван Петров', reason: 'Consent' });
    const document = await PDFDocument.load(signed);
    const signature = signatureWidgets(document.getPages()[0])[0].lookup(PDFName.of('V'), PDFDict);

    expect(signature.get(PDFName.of('SubFilter'))).toBe(PDFName.of('ETSI.CAdES.detached'));
    expect(signature.get(PDFName.of('Filter'))).toBe(PDFName.of('Adobe.PPKLite'));
    expect((signature.get(PDFName.of('Name')) as PDFHexString).decodeText()).toBe('Иван Петров');
    expect((signature.get(PDFName.of('Reason')) as PDFHexString).decodeText()).toBe('Consent');
    expect((signature.get(PDFName.of('M')) as PDFString).decodeDate()).toEqual(signingTime);
  });

  it('refuses a position on a page the document does not have', async () => {
    await expect(
      signPdfWithPades(classicPdf, signer, {
        signingTime,
        signerName: 'Ivan Petrov',
        visibleSignature: { pageNumber: 3, x: 0, y: 0, width: 10, height: 10 },
      }),
    ).rejects.toThrow(RangeError);
  });
});
