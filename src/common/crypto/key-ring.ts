/** AES-256 keys and the HMAC key are 32 random bytes, written in base64. */
export const KEY_BYTES = 32;

/** Key ids are written into every ciphertext: short, ASCII, no separators. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The first key encrypts; every key decrypts (so old ciphertexts stay readable during a rotation). */
export type KeyRing = readonly [EncryptionKey, ...EncryptionKey[]];

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * `id:base64key,id2:base64key2`. Problems describe the entry by position and
 * id, never by its key material, so a bad value can be reported safely.
 */
export function parseKeyRing(text: string): Parsed<KeyRing> {
  const entries = text.split(',').map((entry) => entry.trim());
  const keys: EncryptionKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const position = `entry ${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator < 0) return { ok: false, problem: `${position} must be id:base64key` };
    const id = entry.slice(0, separator);
    if (!KEY_ID.test(id)) return { ok: false, problem: `${position} has an invalid key id (1-32 of A-Z a-z 0-9 _ -)` };
    if (keys.some((known) => known.id === id)) return { ok: false, problem: `key id "${id}" appears twice` };
    const key = parseKey(entry.slice(separator + 1));
    if (!key.ok) return { ok: false, problem: `key "${id}" ${key.problem}` };
    keys.push({ id, key: key.value });
  }
  return { ok: true, value: keys as unknown as KeyRing };
}

export function parseKey(text: string): Parsed<Buffer> {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) return { ok: false, problem: 'must be base64' };
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) return { ok: false, problem: `must be ${KEY_BYTES} bytes, got ${key.length}` };
  return { ok: true, value: key };
}

export function formatKeyRing(ring: KeyRing): string {
  return ring.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}
