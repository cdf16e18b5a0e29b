import { createHash } from 'node:crypto';

/** A document's SHA-256, hex: how originals, signed and unmatched documents are told apart. */
export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
