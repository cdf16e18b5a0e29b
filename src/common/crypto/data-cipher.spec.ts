import { randomBytes } from 'node:crypto';
import { DataCipher, DataDecryptionError, headerFor } from './data-cipher';
import type { KeyRing } from './key-ring';

const FIELD = 'mobile_identifications.identifier';
const keyA = { id: 'a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };
const plaintext = Buffer.from('9001011234', 'utf8');

describe(DataCipher.name, () => {
  it('decrypts what it encrypted', () => {
    const cipher = new DataCipher([keyA]);
    expect(cipher.decrypt(cipher.encrypt(plaintext, FIELD), FIELD)).toEqual(plaintext);
  });

  it('writes a self-describing value: v1, the key id, a fresh 12-byte IV, the tag, and no plaintext', () => {
    const cipher = new DataCipher([keyB]);
    const first = cipher.encrypt(plaintext, FIELD);
    const second = cipher.encrypt(plaintext, FIELD);
    expect(first.subarray(0, 8)).toEqual(headerFor('key-b'));
    expect(first.subarray(0, 3).toString('latin1')).toBe('v1\u0005');
    expect(first.length).toBe(8 + 12 + 16 + plaintext.length);
    expect(first.subarray(8, 20)).not.toEqual(second.subarray(8, 20));
    expect(first.includes(plaintext)).toBe(false);
    expect(cipher.keyIdOf(first, FIELD)).toBe('key-b');
  });

  it('refuses a value under a key the ring does not hold', () => {
    const stored = new DataCipher([keyA]).encrypt(plaintext, FIELD);
    expect(() => new DataCipher([keyB]).decrypt(stored, FIELD)).toThrow(/key "a" is not in the key ring/);
  });

  it('refuses a key with the right id but the wrong bytes', () => {
    const stored = new DataCipher([keyA]).encrypt(plaintext, FIELD);
    expect(() => new DataCipher([{ id: 'a', key: randomBytes(32) }]).decrypt(stored, FIELD)).toThrow(DataDecryptionError);
  });

  it.each([
    ['a flipped ciphertext byte', (value: Buffer) => value[value.length - 1]++],
    ['a flipped tag byte', (value: Buffer) => value[3 + 1 + 12]++],
    ['a flipped IV byte', (value: Buffer) => value[3 + 1]++],
  ])('refuses %s', (_case, tamper) => {
    const cipher = new DataCipher([keyA]);
    const stored = Buffer.from(cipher.encrypt(plaintext, FIELD));
    tamper(stored);
    expect(() => cipher.decrypt(stored, FIELD)).toThrow(/authentication failed/);
  });

  it('refuses a value moved from another field', () => {
    const cipher = new DataCipher([keyA]);
    const email = cipher.encrypt(Buffer.from('canary@example.com'), 'mobile_identifications.email');
    expect(() => cipher.decrypt(email, FIELD)).toThrow(/authentication failed/);
  });

  it('refuses a value whose key id was rewritten to another key of the ring', () => {
    const sameLengthIds: KeyRing = [{ id: 'a', key: keyA.key }, { id: 'b', key: keyA.key }];
    const cipher = new DataCipher(sameLengthIds);
    const stored = Buffer.from(cipher.encrypt(plaintext, FIELD));
    stored[3] = 'b'.charCodeAt(0);
    expect(() => cipher.decrypt(stored, FIELD)).toThrow(/authentication failed/);
  });

  it.each([
    ['plaintext', Buffer.from('9001011234')],
    ['a truncated value', Buffer.from('v1\u0001a')],
    ['an empty key id', Buffer.from('v1\u0000')],
  ])('refuses %s without echoing it', (_case, stored) => {
    const attempt = () => new DataCipher([keyA]).decrypt(stored, FIELD);
    expect(attempt).toThrow(DataDecryptionError);
    expect(attempt).not.toThrow(/9001011234/);
  });

  describe('rotation', () => {
    it('reads values under an old key after a new key was put first, and writes with the new key', () => {
      const before = new DataCipher([keyA]);
      const old = before.encrypt(plaintext, FIELD);
      const after = new DataCipher([keyB, keyA]);
      expect(after.decrypt(old, FIELD)).toEqual(plaintext);
      const fresh = after.encrypt(plaintext, FIELD);
      expect(after.keyIdOf(fresh, FIELD)).toBe('key-b');
      expect(after.currentKeyId).toBe('key-b');
      expect(() => before.decrypt(fresh, FIELD)).toThrow(/key "key-b" is not in the key ring/);
    });
  });
});
