import { randomBytes } from 'node:crypto';
import { BlindIndex } from './blind-index';

const FIELD = 'mobile_identifications.identifier';

describe(BlindIndex.name, () => {
  it('gives equal values the same index and different values different ones', () => {
    const index = new BlindIndex(randomBytes(32));
    expect(index.of('9001011234', FIELD)).toBe(index.of('9001011234', FIELD));
    expect(index.of('9001011234', FIELD)).not.toBe(index.of('7805166742', FIELD));
    expect(index.of('9001011234', FIELD)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on the key, so the index of a known EGN cannot be computed without it', () => {
    expect(new BlindIndex(randomBytes(32)).of('9001011234', FIELD)).not.toBe(new BlindIndex(randomBytes(32)).of('9001011234', FIELD));
  });

  it('separates fields', () => {
    const index = new BlindIndex(randomBytes(32));
    expect(index.of('9001011234', FIELD)).not.toBe(index.of('9001011234', 'other.field'));
  });
});
