import type { ValueTransformer } from 'typeorm';
import { dataProtection } from './data-protection';

interface Codec<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

const TEXT: Codec<string> = {
  encode: (value) => Buffer.from(value, 'utf8'),
  decode: (bytes) => bytes.toString('utf8'),
};

const BYTES: Codec<Buffer> = {
  encode: (value) => value,
  decode: (bytes) => bytes,
};

/**
 * Encrypts a column on its way to PostgreSQL (a `bytea` column) and decrypts
 * it on the way back, so services keep reading and writing plain values.
 * `field` is the stable name of the value, bound into every ciphertext: keep
 * it when a column is renamed. Encryption is randomized, so an encrypted
 * column cannot be searched: look values up through a blind index.
 */
export class EncryptedColumn<T> implements ValueTransformer {
  constructor(
    readonly field: string,
    private readonly codec: Codec<T>,
  ) {}

  to(value: T | null | undefined): Buffer | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    return dataProtection().cipher.encrypt(this.codec.encode(value), this.field);
  }

  from(stored: Buffer | null | undefined): T | null {
    if (stored === null || stored === undefined) return null;
    return this.codec.decode(dataProtection().cipher.decrypt(stored, this.field));
  }
}

export function encryptedText(field: string): EncryptedColumn<string> {
  return new EncryptedColumn(field, TEXT);
}

export function encryptedBytes(field: string): EncryptedColumn<Buffer> {
  return new EncryptedColumn(field, BYTES);
}
