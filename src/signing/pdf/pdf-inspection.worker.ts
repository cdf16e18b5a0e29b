import { parentPort, workerData } from 'node:worker_threads';
import { inspectPdf, PdfInspectionError } from './pdf-inspection';
import { PdfInspectionLimits, PdfLimitExceededError } from './pdf-limits';
import type { WorkerAnswer } from './pdf-inspector';

/** One document per worker: its memory goes with the thread when it ends. */
const { bytes, limits } = workerData as { bytes: Uint8Array; limits: PdfInspectionLimits };

inspectPdf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits).then(
  (inspection) => answer({ inspection }),
  (error: unknown) => {
    if (error instanceof PdfInspectionError) answer({ refused: { code: error.code, message: error.message } });
    else if (error instanceof PdfLimitExceededError) answer({ limit: { limit: error.limit, message: error.message } });
    else answer({ failed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  },
);

function answer(message: WorkerAnswer): void {
  parentPort!.postMessage(message);
}
