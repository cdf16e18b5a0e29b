import { PdfLimitExceededError } from './pdf-limits';

interface DecodeStreamPrototype {
  ensureBuffer(requested: number): Uint8Array;
  buffer: Uint8Array;
}

// Every decoder pdf-lib has (Flate, LZW, ASCII85, ASCIIHex, RunLength) writes
// its output through DecodeStream's ensureBuffer: it is the one place where
// what a stream inflates to can be counted before the memory is taken.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { default: DecodeStream } = require('pdf-lib/cjs/core/streams/DecodeStream') as { default: { prototype: DecodeStreamPrototype } };

const MEBIBYTE = 1024 * 1024;

let current: InflationBudget | undefined;
/** The largest output each stream has asked room for: what it has decoded, or is about to. */
const requestedBy = new WeakMap<object, number>();
const ensureBuffer = DecodeStream.prototype.ensureBuffer;
DecodeStream.prototype.ensureBuffer = function ensureBufferWithinBudget(this: DecodeStreamPrototype, requested: number): Uint8Array {
  const before = requestedBy.get(this) ?? 0;
  if (current && requested > before) {
    requestedBy.set(this, requested);
    current.take(requested - before);
  }
  return ensureBuffer.call(this, requested);
};

/**
 * How many bytes pdf-lib may decode while it parses one document: a stream
 * that asks for more is stopped before its buffer grows, so a 1 MB file that
 * inflates to 1 GB takes at most the budget (and the buffer pdf-lib rounds
 * it up to, a power of two). Counted per thread, one
 * document at a time (the worker parses one).
 */
export class InflationBudget {
  private used = 0;
  private exceeded: PdfLimitExceededError | undefined;

  private constructor(private readonly limit: number) {}

  static open(limit: number): InflationBudget {
    if (current) throw new Error('Another PDF is being parsed in this thread');
    current = new InflationBudget(limit);
    return current;
  }

  take(bytes: number): void {
    this.used += bytes;
    if (this.used <= this.limit) return;
    this.exceeded ??= new PdfLimitExceededError('inflatedBytes', `The PDF's streams inflate to more than ${this.limit / MEBIBYTE} MiB`);
    throw this.exceeded;
  }

  assertNotExceeded(): void {
    if (this.exceeded) throw this.exceeded;
  }

  close(): void {
    if (current === this) current = undefined;
  }
}
