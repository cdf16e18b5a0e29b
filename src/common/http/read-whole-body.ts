import type { Readable } from 'node:stream';

/** The body went past the reader's limit; reading stopped there. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = BodyTooLargeError.name;
  }
}

/**
 * Reads a body to its end into one buffer. With `expectedLength` (its
 * Content-Length) the buffer is allocated up front and every chunk is copied
 * into it as it arrives, so a large body is never held as its chunks and
 * their concatenation at once. A body longer than expected (a compressed
 * one, say) is still read whole, as chunks; one shorter is returned as
 * received: whether a mismatch is an error is the caller's to decide, from
 * the length of what is returned. Past `limit` bytes it stops listening and
 * rejects with BodyTooLargeError (what becomes of the rest of the stream is
 * the caller's choice); a stream error rejects with that error.
 */
export function readWholeBody(source: Readable, options: { limit: number; expectedLength?: number }): Promise<Buffer> {
  const { limit, expectedLength } = options;
  if (expectedLength !== undefined && expectedLength > limit) return Promise.reject(new BodyTooLargeError(limit));
  const whole = expectedLength !== undefined && Number.isSafeInteger(expectedLength) && expectedLength >= 0 ? Buffer.allocUnsafe(expectedLength) : undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > limit) {
        stop();
        reject(new BodyTooLargeError(limit));
        return;
      }
      if (whole && chunks.length === 0 && received + chunk.length <= whole.length) chunk.copy(whole, received);
      else {
        if (whole && chunks.length === 0) chunks.push(whole.subarray(0, received));
        chunks.push(chunk);
      }
      received += chunk.length;
    };
    const onEnd = () => {
      stop();
      if (chunks.length > 0) resolve(Buffer.concat(chunks, received));
      else resolve(whole ? whole.subarray(0, received) : Buffer.alloc(0));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const stop = () => {
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('error', onError);
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.resume();
  });
}
