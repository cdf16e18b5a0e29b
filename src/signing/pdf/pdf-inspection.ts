import { PDFDocument } from 'pdf-lib';

export interface PdfPageSize {
  /** Points (1/72 inch), of the page's MediaBox. */
  width: number;
  height: number;
  /** /Rotate in degrees: 0, 90, 180 or 270. */
  rotation: number;
}

export interface PdfInspection {
  pageCount: number;
  pages: PdfPageSize[];
}

export type PdfInspectionErrorCode = 'NOT_A_PDF' | 'ENCRYPTED_PDF' | 'BROKEN_PDF';

export class PdfInspectionError extends Error {
  constructor(
    readonly code: PdfInspectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = PdfInspectionError.name;
  }
}

const HEADER_SEARCH_BYTES = 1024;
const EOF_SEARCH_BYTES = 1024;

/**
 * Parses a PDF before it is sent for signing and reports its pages, so a
 * document the provider would refuse (or sign into something unreadable) is
 * rejected up front. Deliberately strict: a truncated file is refused even
 * where a lenient parser could recover some of it, because the signer would
 * then sign a different document from the one the user meant.
 */
export async function inspectPdf(bytes: Buffer): Promise<PdfInspection> {
  if (!bytes.subarray(0, HEADER_SEARCH_BYTES).includes('%PDF-')) {
    throw new PdfInspectionError('NOT_A_PDF', 'The file does not start with a %PDF- header');
  }
  // ISO 32000-1 7.5.5: the file ends with %%EOF; readers look for it in the last 1024 bytes.
  if (!bytes.subarray(Math.max(0, bytes.length - EOF_SEARCH_BYTES)).includes('%%EOF')) {
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF has no end-of-file marker; it is probably truncated');
  }
  let document: PDFDocument;
  try {
    // pdf-lib's own EncryptedPDFError cannot be told apart with instanceof (ES5 build), so load and ask.
    document = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true, ignoreEncryption: true });
  } catch {
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF cannot be parsed');
  }
  if (document.isEncrypted) {
    throw new PdfInspectionError('ENCRYPTED_PDF', 'The PDF is encrypted');
  }
  try {
    const pages = document.getPages().map((page) => {
      const { width, height } = page.getSize();
      const rotation = ((page.getRotation().angle % 360) + 360) % 360;
      if (!(width > 0) || !(height > 0)) throw new Error('A page has no usable MediaBox');
      return { width, height, rotation };
    });
    if (pages.length === 0) {
      throw new PdfInspectionError('BROKEN_PDF', 'The PDF has no pages');
    }
    return { pageCount: pages.length, pages };
  } catch (error) {
    if (error instanceof PdfInspectionError) throw error;
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF page tree cannot be read');
  }
}
