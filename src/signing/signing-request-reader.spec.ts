import { base64DecodedLength } from './signing-request-reader';

describe(base64DecodedLength.name, () => {
  it('counts the bytes a base64 text decodes to, padding included', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 1000, 1001, 1002]) {
      const text = Buffer.alloc(length, 7).toString('base64');
      expect(base64DecodedLength(text)).toBe(length);
    }
  });
});
