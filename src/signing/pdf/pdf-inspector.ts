import { extname, join } from 'node:path';
import type { PdfParsingLimits } from '../../config/app-config';
import { PdfInspection, PdfInspectionError, PdfInspectionErrorCode } from './pdf-inspection';
import { PdfLimit, PdfLimitExceededError } from './pdf-limits';
import { prepareWorkerScript, workerFor } from './worker-script';

/** What the worker posts back, once. */
export type WorkerAnswer =
  | { inspection: PdfInspection }
  | { refused: { code: PdfInspectionErrorCode; message: string } }
  | { limit: { limit: PdfLimit; message: string } }
  | { failed: string };

const WORKER_FILE = join(__dirname, `pdf-inspection.worker${extname(__filename)}`);

/**
 * Parses uploaded PDFs in worker threads, so that the event loop never waits
 * for one, and within bounds: what a document inflates to and its object
 * count (counted while parsing, see inspectPdf), its time (the worker is
 * stopped) and its memory (the worker's heap is capped; the inflation budget
 * caps the buffers outside it). A fresh worker per document: a bomb's memory
 * is given back when its thread ends, and no document can leave anything
 * behind for the next. At most `concurrency` run at once; the others wait.
 */
export class PdfInspector {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limits: PdfParsingLimits) {
    prepareWorkerScript(WORKER_FILE);
  }

  async inspect(bytes: Buffer): Promise<PdfInspection> {
    await this.acquire();
    try {
      return await this.inWorker(bytes);
    } finally {
      this.release();
    }
  }

  private inWorker(bytes: Buffer): Promise<PdfInspection> {
    const { maxInflatedBytes, maxObjects, timeoutMs, maxHeapMb } = this.limits;
    // The worker gets its own copy, moved rather than cloned.
    const copy = new Uint8Array(bytes);
    const options = {
      workerData: { bytes: copy, limits: { maxInflatedBytes, maxObjects } },
      transferList: [copy.buffer],
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
    };
    const worker = workerFor(WORKER_FILE, options);
    return new Promise<PdfInspection>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        outcome();
      };
      const timer = setTimeout(
        () => settle(() => reject(new PdfLimitExceededError('time', `Parsing the PDF took longer than ${timeoutMs} ms`))),
        timeoutMs,
      );
      worker.once('message', (message: WorkerAnswer) => settle(() => {
        if ('inspection' in message) resolve(message.inspection);
        else if ('refused' in message) reject(new PdfInspectionError(message.refused.code, message.refused.message));
        else if ('limit' in message) reject(new PdfLimitExceededError(message.limit.limit, message.limit.message));
        else reject(new Error(`The PDF worker failed: ${message.failed}`));
      }));
      worker.once('error', (error: Error & { code?: string }) =>
        settle(() =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new PdfLimitExceededError('memory', `Parsing the PDF needed more than ${maxHeapMb} MiB`)
              : error,
          ),
        ),
      );
      worker.once('exit', (code) => settle(() => reject(new Error(`The PDF worker exited (${code}) without an answer`))));
    });
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** The slot passes straight to the next in line, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
