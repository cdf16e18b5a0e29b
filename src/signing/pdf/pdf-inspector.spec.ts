import { monitorEventLoopDelay } from 'node:perf_hooks';
import { handWrittenPdf, objectStreamBomb } from '../../../test/support/hostile-pdfs';
import { PdfInspectionError } from './pdf-inspection';
import { PdfInspector } from './pdf-inspector';
import { PdfLimitExceededError } from './pdf-limits';

const MEBIBYTE = 1024 * 1024;
const LIMITS = { maxInflatedBytes: 16 * MEBIBYTE, maxObjects: 1000, timeoutMs: 60_000, maxHeapMb: 256, concurrency: 2 };

describe(PdfInspector.name, () => {
  it('parses a PDF in a worker thread and answers its inspection', async () => {
    await expect(new PdfInspector(LIMITS).inspect(handWrittenPdf())).resolves.toEqual({
      pageCount: 1,
      pages: [{ width: 595, height: 842, rotation: 0 }],
      activeContent: [],
    });
  });

  it('passes the worker\'s refusals on as the same errors', async () => {
    const error = await new PdfInspector(LIMITS).inspect(Buffer.from('not a pdf')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PdfInspectionError);
    expect((error as PdfInspectionError).code).toBe('NOT_A_PDF');
  });

  it('stops a bomb at the inflation limit while the event loop goes on', async () => {
    const bomb = await objectStreamBomb(256);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const error = await new PdfInspector(LIMITS).inspect(bomb).catch((caught: unknown) => caught);
    delay.disable();
    expect(error).toBeInstanceOf(PdfLimitExceededError);
    expect((error as PdfLimitExceededError).limit).toBe('inflatedBytes');
    process.stdout.write(`PdfInspector: ${bomb.length} byte bomb refused; event-loop delay max ${Math.round(delay.max / 1e6)} ms\n`);
  });

  it('stops a worker that takes longer than the time limit', async () => {
    const error = await new PdfInspector({ ...LIMITS, timeoutMs: 1 }).inspect(handWrittenPdf()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PdfLimitExceededError);
    expect((error as PdfLimitExceededError).limit).toBe('time');
  });

  it('runs at most `concurrency` workers and serves every request in the end', async () => {
    const inspector = new PdfInspector({ ...LIMITS, concurrency: 1 });
    const inspections = await Promise.all([1, 2, 3].map(() => inspector.inspect(handWrittenPdf())));
    expect(inspections.map((inspection) => inspection.pageCount)).toEqual([1, 1, 1]);
  });
});
