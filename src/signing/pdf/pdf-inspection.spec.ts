import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import { handWrittenPdf, objectStreamBomb, streamObject } from '../../../test/support/hostile-pdfs';
import { PdfInspectionError, inspectPdf } from './pdf-inspection';
import { PdfLimitExceededError } from './pdf-limits';

const MEBIBYTE = 1024 * 1024;
const LIMITS = { maxInflatedBytes: 4 * MEBIBYTE, maxObjects: 1000 };

async function pdfWithPages(sizes: Array<[number, number]>): Promise<Buffer> {
  const document = await PDFDocument.create();
  for (const size of sizes) document.addPage(size);
  return Buffer.from(await document.save({ addDefaultPage: false }));
}

async function rejection<E extends Error>(type: new (...args: never[]) => E, bytes: Buffer, limits = LIMITS): Promise<E> {
  try {
    await inspectPdf(bytes, limits);
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error('inspectPdf accepted the file');
}

const inspectionError = (bytes: Buffer) => rejection(PdfInspectionError, bytes);
const limitError = (bytes: Buffer, limits = LIMITS) => rejection(PdfLimitExceededError, bytes, limits);

describe(inspectPdf.name, () => {
  it('reports the page count and each page size and rotation', async () => {
    const document = await PDFDocument.create();
    document.addPage([595.28, 841.89]);
    document.addPage([612, 792]).node.set(PDFName.of('Rotate'), PDFNumber.of(90));

    await expect(inspectPdf(Buffer.from(await document.save()), LIMITS)).resolves.toEqual({
      pageCount: 2,
      pages: [
        { width: 595.28, height: 841.89, rotation: 0 },
        { width: 612, height: 792, rotation: 90 },
      ],
      activeContent: [],
    });
  });

  it('reads PDFs with classic cross-reference tables too', async () => {
    const document = await PDFDocument.create();
    document.addPage([300, 400]);
    const inspection = await inspectPdf(Buffer.from(await document.save({ useObjectStreams: false })), LIMITS);
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

  it('stops a decompression bomb at the inflation limit, before its buffer grows past it', async () => {
    const bomb = await objectStreamBomb(64);
    expect(bomb.length).toBeLessThan(MEBIBYTE);
    const error = await limitError(bomb);
    expect(error.limit).toBe('inflatedBytes');
    expect(error.message).toContain('4 MiB');
    // The same document within a larger budget is an ordinary PDF: the budget, not the file, refused it.
    await expect(inspectPdf(bomb, { ...LIMITS, maxInflatedBytes: 128 * MEBIBYTE })).resolves.toMatchObject({ pageCount: 1 });
  });

  it('counts every stream the parser inflates against one budget per document', async () => {
    const stream = (megabytes: number) => streamObject('/Type /ObjStm /N 0 /First 0 /Filter /FlateDecode', deflateSync(Buffer.alloc(megabytes * MEBIBYTE)));
    await expect(inspectPdf(handWrittenPdf([stream(3)]), LIMITS)).resolves.toMatchObject({ pageCount: 1 });
    expect((await limitError(handWrittenPdf([stream(3), stream(3)]))).limit).toBe('inflatedBytes');
    // The next document starts with a full budget.
    await expect(inspectPdf(handWrittenPdf([stream(3)]), LIMITS)).resolves.toMatchObject({ pageCount: 1 });
  });

  it('refuses a PDF with more objects than the limit', async () => {
    const many = handWrittenPdf(Array.from({ length: 50 }, (_, index) => `(${index})`));
    await expect(inspectPdf(many, { ...LIMITS, maxObjects: 60 })).resolves.toMatchObject({ pageCount: 1 });
    const error = await limitError(many, { ...LIMITS, maxObjects: 40 });
    expect(error.limit).toBe('objects');
    expect(error.message).toContain('53 objects');
  });

  it('finds JavaScript in /JS entries, JavaScript actions and the /JavaScript name tree, wherever they are', async () => {
    const openAction = handWrittenPdf(['<< /S /JavaScript /JS (app.alert(1)) >>'], '/OpenAction 4 0 R ');
    expect((await inspectPdf(openAction, LIMITS)).activeContent).toEqual(['JavaScript']);
    const nameTree = handWrittenPdf(['<< /JavaScript 5 0 R >>', '<< /Names [(a) 6 0 R] >>', '<< /S /JavaScript /JS 7 0 R >>', streamObject('', Buffer.from('app.alert(1)'))], '/Names 4 0 R ');
    expect((await inspectPdf(nameTree, LIMITS)).activeContent).toEqual(['JavaScript']);
    // Nested in a page's additional actions, with the name written with #xx escapes: the parser decodes them.
    const escaped = handWrittenPdf(['<< /AA << /O << /S /Java#53cript /J#53 (x) >> >> >>']);
    expect((await inspectPdf(escaped, LIMITS)).activeContent).toEqual(['JavaScript']);
  });

  it('finds launch actions, and nothing in an ordinary PDF', async () => {
    const launch = handWrittenPdf(['<< /S /Launch /F (calc.exe) >>'], '/OpenAction 4 0 R ');
    expect((await inspectPdf(launch, LIMITS)).activeContent).toEqual(['Launch']);
    const both = handWrittenPdf(['<< /S /Launch /F (calc.exe) /Next << /S /JavaScript /JS (x) >> >>'], '/OpenAction 4 0 R ');
    expect((await inspectPdf(both, LIMITS)).activeContent).toEqual(['JavaScript', 'Launch']);
    expect((await inspectPdf(await pdfWithPages([[612, 792]]), LIMITS)).activeContent).toEqual([]);
    // Words in a page's text are not actions.
    const text = handWrittenPdf([streamObject('', Buffer.from('BT (/JavaScript /Launch /JS) Tj ET'))]);
    expect((await inspectPdf(text, LIMITS)).activeContent).toEqual([]);
  });
});
