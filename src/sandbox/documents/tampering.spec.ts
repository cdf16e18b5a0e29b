import { PDFDocument } from 'pdf-lib';
import { appendAfterSignature, flipByteInSignedRange } from './tampering';

async function samplePdf(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage();
  return Buffer.from(await document.save());
}

describe(flipByteInSignedRange.name, () => {
  it('changes exactly one byte, leaves the input untouched and the PDF readable', async () => {
    const pdf = await samplePdf();
    const copy = Buffer.from(pdf);
    const tampered = flipByteInSignedRange(pdf);

    expect(pdf.equals(copy)).toBe(true);
    expect(tampered.length).toBe(pdf.length);
    expect([...tampered].filter((byte, index) => byte !== pdf[index])).toHaveLength(1);
    expect((await PDFDocument.load(tampered)).getPageCount()).toBe(1);
  });

  it('refuses bytes that are not a PDF', () => {
    expect(() => flipByteInSignedRange(Buffer.from('hello'))).toThrow('Not a PDF');
  });
});

describe(appendAfterSignature.name, () => {
  it('keeps the input as a prefix and adds bytes after it', async () => {
    const pdf = await samplePdf();
    const tampered = appendAfterSignature(pdf);

    expect(tampered.length).toBeGreaterThan(pdf.length);
    expect(tampered.subarray(0, pdf.length).equals(pdf)).toBe(true);
    expect((await PDFDocument.load(tampered)).getPageCount()).toBe(1);
  });
});
