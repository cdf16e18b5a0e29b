import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import { PdfInspectionError, inspectPdf } from './pdf-inspection';

async function pdfWithPages(sizes: Array<[number, number]>): Promise<Buffer> {
  const document = await PDFDocument.create();
  for (const size of sizes) document.addPage(size);
  return Buffer.from(await document.save({ addDefaultPage: false }));
}

async function inspectionError(bytes: Buffer): Promise<PdfInspectionError> {
  try {
    await inspectPdf(bytes);
  } catch (error) {
    if (error instanceof PdfInspectionError) return error;
    throw error;
  }
  throw new Error('inspectPdf accepted the file');
}

describe(inspectPdf.name, () => {
  it('reports the page count and each page size and rotation', async () => {
    const document = await PDFDocument.create();
    document.addPage([595.28, 841.89]);
    document.addPage([612, 792]).node.set(PDFName.of('Rotate'), PDFNumber.of(90));

    await expect(inspectPdf(Buffer.from(await document.save()))).resolves.toEqual({
      pageCount: 2,
      pages: [
        { width: 595.28, height: 841.89, rotation: 0 },
        { width: 612, height: 792, rotation: 90 },
      ],
    });
  });

  it('reads PDFs with classic cross-reference tables too', async () => {
    const document = await PDFDocument.create();
    document.addPage([300, 400]);
    const inspection = await inspectPdf(Buffer.from(await document.save({ useObjectStreams: false })));
    expect(inspection.pages).toEqual([{ width: 300, height: 400, rotation: 0 }]);
  });

  it('rejects bytes without a PDF header as NOT_A_PDF', async () => {
    expect((await inspectionError(randomBytes(2048))).code).toBe('NOT_A_PDF');
    expect((await inspectionError(Buffer.alloc(0))).code).toBe('NOT_A_PDF');
  });

  it('rejects a truncated PDF as BROKEN_PDF', async () => {
    const pdf = await pdfWithPages([[612, 792], [612, 792]]);
    expect((await inspectionError(pdf.subarray(0, Math.floor(pdf.length / 2)))).code).toBe('BROKEN_PDF');
  });

  it('rejects a PDF whose objects are garbage as BROKEN_PDF', async () => {
    const garbage = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nendobj\n'), randomBytes(512), Buffer.from('\n%%EOF\n')]);
    expect((await inspectionError(garbage)).code).toBe('BROKEN_PDF');
  });

  it('rejects a PDF without pages as BROKEN_PDF', async () => {
    expect((await inspectionError(await pdfWithPages([]))).code).toBe('BROKEN_PDF');
  });

  it('rejects a PDF whose trailer names an /Encrypt dictionary as ENCRYPTED_PDF', async () => {
    const document = await PDFDocument.create();
    document.addPage();
    const encrypt = document.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -3904 });
    document.context.trailerInfo.Encrypt = document.context.register(encrypt);
    const encrypted = Buffer.from(await document.save({ useObjectStreams: false }));

    expect(encrypted.toString('latin1')).toMatch(/trailer[\s\S]*\/Encrypt \d+ 0 R/);
    expect((await inspectionError(encrypted)).code).toBe('ENCRYPTED_PDF');
  });
});
