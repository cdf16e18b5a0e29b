import { createCipheriv, createDecipheriv, randomBytes, type Cipher, type Decipher } from 'node:crypto';
import type { EncryptionKey, KeyRing } from './key-ring';

const VERSION = Buffer.from('v1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Large values go through the cipher this many bytes at a time, each piece
 * copied into the one output buffer: a 10 MB document costs one 10 MB copy,
 * not the cipher's output and its concatenations as well.
 */
const PIECE_BYTES = 64 * 1024;

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
    const stored = Buffer.allocUnsafe(header.length + IV_BYTES + TAG_BYTES + plaintext.length);
    header.copy(stored);
    iv.copy(stored, header.length);
    const bodyStart = header.length + IV_BYTES + TAG_BYTES;
    // GCM is a stream cipher: the ciphertext is as long as the plaintext, and final() adds nothing.
    const written = cipherInto(cipher, plaintext, stored, bodyStart);
    if (written !== stored.length) throw new Error('AES-GCM produced a ciphertext of an unexpected length');
    cipher.getAuthTag().copy(stored, header.length + IV_BYTES);
    return stored;
  }

  decrypt(stored: Buffer, field: string): Buffer {
    const { header, keyId, rest } = splitHeader(stored, field);
    const key = this.byId.get(keyId);
    if (!key) throw new DataDecryptionError(field, `key "${keyId}" is not in the key ring`);
    if (rest.length < IV_BYTES + TAG_BYTES) throw new DataDecryptionError(field, 'the value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, IV_BYTES));
    decipher.setAAD(additionalData(header, field));
    decipher.setAuthTag(rest.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const body = rest.subarray(IV_BYTES + TAG_BYTES);
    const plaintext = Buffer.allocUnsafe(body.length);
    try {
      if (cipherInto(decipher, body, plaintext, 0) !== plaintext.length) throw new Error('unexpected length');
      return plaintext;
    } catch {
      throw new DataDecryptionError(field, 'authentication failed (wrong key, altered value, or a value of another field)');
    }
  }

  /** The id of the key a stored value was encrypted with. */
  keyIdOf(stored: Buffer, field: string): string {
    return splitHeader(stored, field).keyId;
  }
}

/** Runs `input` through the cipher into `output` from `offset`, finishing it; the offset reached. */
function cipherInto(cipher: Cipher | Decipher, input: Buffer, output: Buffer, offset: number): number {
  let at = offset;
  for (let from = 0; from < input.length; from += PIECE_BYTES) {
    at += cipher.update(input.subarray(from, Math.min(input.length, from + PIECE_BYTES))).copy(output, at);
  }
  return at + cipher.final().copy(output, at);
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
