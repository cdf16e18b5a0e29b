import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFStream } from 'pdf-lib';
import { InflationBudget } from './inflation-budget';
import { PdfInspectionLimits, PdfLimitExceededError } from './pdf-limits';

export interface PdfPageSize {
  /** Points (1/72 inch), of the page's MediaBox. */
  width: number;
  height: number;
  /** /Rotate in degrees: 0, 90, 180 or 270. */
  rotation: number;
}

/**
 * What a PDF can make a reader do beyond showing it: run JavaScript (a /JS
 * entry, a /JavaScript action or name tree) or start another program (a
 * /Launch action).
 */
export const ACTIVE_CONTENT = ['JavaScript', 'Launch'] as const;
export type ActiveContent = (typeof ACTIVE_CONTENT)[number];

export interface PdfInspection {
  pageCount: number;
  pages: PdfPageSize[];
  /** Each kind found anywhere in the document, in this order; empty for most PDFs. */
  activeContent: ActiveContent[];
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
 *
 * Parsing is bounded by `limits`: what it inflates (a decompression bomb is
 * stopped at the limit, not after) and how many objects the document holds.
 * It still takes CPU time: the server runs it in a worker (PdfInspector),
 * which adds the bounds on time and memory.
 */
export async function inspectPdf(bytes: Buffer, limits: PdfInspectionLimits): Promise<PdfInspection> {
  if (!bytes.subarray(0, HEADER_SEARCH_BYTES).includes('%PDF-')) {
    throw new PdfInspectionError('NOT_A_PDF', 'The file does not start with a %PDF- header');
  }
  // ISO 32000-1 7.5.5: the file ends with %%EOF; readers look for it in the last 1024 bytes.
  if (!bytes.subarray(Math.max(0, bytes.length - EOF_SEARCH_BYTES)).includes('%%EOF')) {
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF has no end-of-file marker; it is probably truncated');
  }
  let document: PDFDocument;
  const budget = InflationBudget.open(limits.maxInflatedBytes);
  try {
    // pdf-lib's own EncryptedPDFError cannot be told apart with instanceof (ES5 build), so load and ask.
    document = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true, ignoreEncryption: true });
  } catch {
    // The parser may have caught the budget's error and failed on what followed: the budget says which it was.
    budget.assertNotExceeded();
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF cannot be parsed');
  } finally {
    budget.close();
  }
  const objects = document.context.enumerateIndirectObjects();
  if (objects.length > limits.maxObjects) {
    throw new PdfLimitExceededError('objects', `The PDF holds ${objects.length} objects; at most ${limits.maxObjects} are accepted`);
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
    return { pageCount: pages.length, pages, activeContent: activeContentIn(objects.map(([, object]) => object)) };
  } catch (error) {
    if (error instanceof PdfInspectionError) throw error;
    throw new PdfInspectionError('BROKEN_PDF', 'The PDF page tree cannot be read');
  }
}

const JS = PDFName.of('JS');
const JAVASCRIPT = PDFName.of('JavaScript');
const LAUNCH = PDFName.of('Launch');
const ACTION_TYPE = PDFName.of('S');

/**
 * Every dictionary of the document, nested ones included, is looked at,
 * whether a page, an annotation, /OpenAction or /AA leads to it or nothing
 * does: a reader may reach an action in ways a walk from the catalogue would
 * miss. The parser has decoded #xx escapes in names, so /J#53 is /JS here.
 * ISO 32000-1 12.6.4.16 (JavaScript actions, the /JS entry), 12.6.4.5
 * (launch actions), 7.7.4 (the /JavaScript name tree).
 */
function activeContentIn(objects: PDFObject[]): ActiveContent[] {
  const found = new Set<ActiveContent>();
  const pending = [...objects];
  const seen = new Set<PDFObject>();
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (seen.has(object)) continue;
    seen.add(object);
    const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : undefined;
    if (dict) {
      for (const [key, value] of dict.entries()) {
        if (key === JS || key === JAVASCRIPT) found.add('JavaScript');
        if (key === ACTION_TYPE && value === JAVASCRIPT) found.add('JavaScript');
        if (key === ACTION_TYPE && value === LAUNCH) found.add('Launch');
        pending.push(value);
      }
    } else if (object instanceof PDFArray) {
      pending.push(...object.asArray());
    }
  }
  return ACTIVE_CONTENT.filter((kind) => found.has(kind));
}
