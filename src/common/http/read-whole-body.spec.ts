import { Readable } from 'node:stream';
import { BodyTooLargeError, readWholeBody } from './read-whole-body';

const chunks = (...texts: string[]) => Readable.from(texts.map((text) => Buffer.from(text)), { objectMode: false });

describe(readWholeBody.name, () => {
  it('reads into one buffer of the expected length', async () => {
    const body = await readWholeBody(chunks('{"a":', '1}'), { limit: 100, expectedLength: 7 });
    expect(body.toString()).toBe('{"a":1}');
  });

  it('reads a body longer or shorter than expected whole, and one of unknown length', async () => {
    expect((await readWholeBody(chunks('abc', 'def'), { limit: 100, expectedLength: 4 })).toString()).toBe('abcdef');
    expect((await readWholeBody(chunks('abc'), { limit: 100, expectedLength: 6 })).toString()).toBe('abc');
    expect((await readWholeBody(chunks('abc', 'def'), { limit: 100 })).toString()).toBe('abcdef');
  });

  it('refuses a body past the limit, declared or received', async () => {
    await expect(readWholeBody(chunks('abc'), { limit: 2, expectedLength: 3 })).rejects.toBeInstanceOf(BodyTooLargeError);
    await expect(readWholeBody(chunks('ab', 'cd'), { limit: 3 })).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it('passes on a stream error', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('reset')); } });
    await expect(readWholeBody(failing, { limit: 10 })).rejects.toThrow('reset');
  });
});
