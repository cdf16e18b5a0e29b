import { createHmac } from 'node:crypto';

/**
 * A keyed hash that lets the database find equal values without holding them:
 * HMAC-SHA256 under a key of its own (not an encryption key), so the index
 * cannot be reversed by hashing every possible EGN, which a plain hash could.
 * Deterministic by design: the same value always gives the same index.
 */
export class BlindIndex {
  constructor(private readonly key: Buffer) {}

  /** Lowercase hex; `field` separates the indexes of different fields. */
  of(value: string, field: string): string {
    return createHmac('sha256', this.key).update(`${field}\u0000${value}`, 'utf8').digest('hex');
  }
}
