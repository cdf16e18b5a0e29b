import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey, KeyRing } from './key-ring';

const VERSION = Buffer.from('v1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Why a stored value could not be read. The message names the field and the
 * reason, never the value.
 */
export class DataDecryptionError extends Error {
  constructor(field: string, reason: string) {
    super(`Cannot decrypt ${field}: ${reason}`);
    this.name = 'DataDecryptionError';
  }
}

/**
 * AES-256-GCM over a key ring. A ciphertext describes itself:
 *
 *     "v1" | key id length (1 byte) | key id (ASCII) | IV (12) | tag (16) | ciphertext
 *
 * so any key of the ring can be found again by id, and a rotation can tell
 * which values are still under an old key without decrypting them.
 *
 * The additional authenticated data is the header plus the field's label
 * (e.g. `mobile_identifications.identifier`): a ciphertext copied into
 * another column, or with its key id edited, fails authentication. It is not
 * bound to the row: TypeORM column transformers never see the primary key,
 * so swapping two rows' values of the same column is not detected; the row's
 * owner check and the blind index, not the cipher, tie a value to a record.
 */
export class DataCipher {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(ring: KeyRing) {
    this.current = ring[0];
    this.byId = new Map(ring.map(({ id, key }) => [id, key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: Buffer, field: string): Buffer {
    const header = headerFor(this.current.id);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(additionalData(header, field));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
  }

  decrypt(stored: Buffer, field: string): Buffer {
    const { header, keyId, rest } = splitHeader(stored, field);
    const key = this.byId.get(keyId);
    if (!key) throw new DataDecryptionError(field, `key "${keyId}" is not in the key ring`);
    if (rest.length < IV_BYTES + TAG_BYTES) throw new DataDecryptionError(field, 'the value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, IV_BYTES));
    decipher.setAAD(additionalData(header, field));
    decipher.setAuthTag(rest.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(rest.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DataDecryptionError(field, 'authentication failed (wrong key, altered value, or a value of another field)');
    }
  }

  /** The id of the key a stored value was encrypted with. */
  keyIdOf(stored: Buffer, field: string): string {
    return splitHeader(stored, field).keyId;
  }
}

/** The leading bytes of every value encrypted under `keyId`: lets SQL find values under other keys. */
export function headerFor(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([VERSION, Buffer.of(id.length), id]);
}

function splitHeader(stored: Buffer, field: string): { header: Buffer; keyId: string; rest: Buffer } {
  if (stored.length < VERSION.length + 1 || !stored.subarray(0, VERSION.length).equals(VERSION)) {
    throw new DataDecryptionError(field, 'not a v1 ciphertext');
  }
  const idLength = stored[VERSION.length];
  const headerLength = VERSION.length + 1 + idLength;
  if (idLength === 0 || stored.length < headerLength) throw new DataDecryptionError(field, 'the header is truncated');
  return {
    header: stored.subarray(0, headerLength),
    keyId: stored.subarray(VERSION.length + 1, headerLength).toString('ascii'),
    rest: stored.subarray(headerLength),
  };
}

function additionalData(header: Buffer, field: string): Buffer {
  return Buffer.concat([header, Buffer.from(field, 'utf8')]);
}
