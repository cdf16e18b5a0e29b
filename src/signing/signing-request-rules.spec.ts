import { ProblemResponse, toProblem } from '../common/problem/to-problem';
import type { PdfInspection } from './pdf/pdf-inspection';
import {
  assertWithinLimits,
  duplicateFileNameProblems,
  signingRequestBodyLimit,
  visibleSignatureProblems,
} from './signing-request-rules';
import { SigningError } from './signing.errors';

const MEGABYTE = 1024 * 1024;
const limits = { maxDocumentBytes: 2 * MEGABYTE, maxDocuments: 3 };
const a4: PdfInspection = { pageCount: 2, pages: [{ width: 595.28, height: 841.89, rotation: 0 }, { width: 300, height: 200, rotation: 0 }], activeContent: [] };

/** The problem the refusal answers with, its status from the catalogue. */
function thrown(run: () => void): ProblemResponse {
  try {
    run();
  } catch (error) {
    if (error instanceof SigningError) return toProblem(error, {});
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe(assertWithinLimits.name, () => {
  it('accepts documents up to the limits', () => {
    expect(() => assertWithinLimits([2 * MEGABYTE, 1, 1], limits)).not.toThrow();
  });

  it('answers 400 TOO_MANY_DOCUMENTS over the count', () => {
    const problem = thrown(() => assertWithinLimits([1, 1, 1, 1], limits));
    expect(problem).toMatchObject({ status: 400, body: { code: 'TOO_MANY_DOCUMENTS' } });
  });

  it('answers 413 DOCUMENT_TOO_LARGE naming every document over the size', () => {
    const problem = thrown(() => assertWithinLimits([2 * MEGABYTE + 1, 5, 3 * MEGABYTE], limits));
    expect(problem).toMatchObject({ status: 413, body: { code: 'DOCUMENT_TOO_LARGE' } });
    expect((problem.body.errors as Array<{ field: string }>).map((error) => error.field)).toEqual([
      'documents.0.content',
      'documents.2.content',
    ]);
  });
});

describe(duplicateFileNameProblems.name, () => {
  it('names each repeat of an earlier name, ignoring case', () => {
    expect(duplicateFileNameProblems(['a.pdf', 'b.pdf', 'A.pdf', 'a.PDF']).map((problem) => problem.field)).toEqual([
      'documents.2.fileName',
      'documents.3.fileName',
    ]);
    expect(duplicateFileNameProblems(['a.pdf', 'b.pdf'])).toEqual([]);
  });
});

describe(visibleSignatureProblems.name, () => {
  it('accepts a box that lies inside its page, edges included', () => {
    expect(visibleSignatureProblems(0, { page: 1, x: 0, y: 0, width: 100, height: 50 }, a4)).toEqual([]);
    expect(visibleSignatureProblems(0, { page: 2, x: 100, y: 150, width: 200, height: 50 }, a4)).toEqual([]);
  });

  it('refuses a page the document does not have', () => {
    expect(visibleSignatureProblems(1, { page: 3, x: 0, y: 0, width: 10, height: 10 }, a4)).toEqual([
      expect.objectContaining({ field: 'documents.1.visibleSignature.page', codes: ['PAGE_NOT_FOUND'] }),
    ]);
  });

  it('refuses a box that leaves its page to the right or below, measured on that page', () => {
    const right = visibleSignatureProblems(0, { page: 2, x: 150, y: 0, width: 151, height: 10 }, a4);
    const below = visibleSignatureProblems(0, { page: 2, x: 0, y: 190, width: 10, height: 11 }, a4);
    for (const problems of [right, below]) {
      expect(problems).toEqual([expect.objectContaining({ field: 'documents.0.visibleSignature', codes: ['OUTSIDE_PAGE'] })]);
    }
    expect(visibleSignatureProblems(0, { page: 1, x: 150, y: 190, width: 151, height: 11 }, a4)).toEqual([]);
  });
});

describe(signingRequestBodyLimit.name, () => {
  it('fits every document at its limit in base64, with room for the rest', () => {
    const limit = signingRequestBodyLimit(limits);
    expect(limit).toBeGreaterThanOrEqual(3 * Math.ceil((2 * MEGABYTE * 4) / 3));
    expect(limit).toBeLessThan(3 * 3 * MEGABYTE + 2 * MEGABYTE);
  });
});
