import { randomBytes } from 'node:crypto';
import { DecodedBase64, parseJsonDecodingBase64 } from './json-with-base64';

const parse = (json: Buffer): unknown => JSON.parse(json.toString('utf8'));

describe(parseJsonDecodingBase64.name, () => {
  const document = randomBytes(100_000);
  const base64 = document.toString('base64');

  it('decodes long base64 strings at the given paths, in arrays and objects alike', () => {
    const json = Buffer.from(JSON.stringify({ data: { items: [{ content: base64, name: 'a' }, { content: 'SGk=' }] }, top: { content: base64 } }));
    const parsed = parseJsonDecodingBase64(json, [['data', 'items', '*', 'content'], ['top', 'content']], parse) as {
      data: { items: Array<{ content: unknown; name?: string }> };
      top: { content: unknown };
    };
    expect((parsed.data.items[0].content as DecodedBase64).bytes.equals(document)).toBe(true);
    expect(parsed.data.items[0].name).toBe('a');
    expect(parsed.data.items[1].content).toBe('SGk=');
    expect((parsed.top.content as DecodedBase64).bytes.equals(document)).toBe(true);
  });

  it('gives back as text the long base64 strings found elsewhere, and leaves escaped or unpadded ones to the parser', () => {
    const withLineBreaks = base64.replace(/(.{76})/g, '$1\\r\\n');
    const unpadded = `${base64.replace(/=+$/, '')}A`;
    const text = `{"elsewhere":"${base64}","items":[{"content":"${withLineBreaks}"},{"content":"${unpadded}"}]}`;
    const parsed = parseJsonDecodingBase64(Buffer.from(text), [['items', '*', 'content']], parse) as {
      elsewhere: unknown;
      items: Array<{ content: unknown }>;
    };
    expect(parsed).toEqual(JSON.parse(text));
  });

  it('lets the parser refuse what it refuses', () => {
    const broken = Buffer.from(`{"items":[{"content":"${base64}"}]`);
    expect(() => parseJsonDecodingBase64(broken, [['items', '*', 'content']], parse)).toThrow(SyntaxError);
  });

  it('is a plain parse without paths', () => {
    const json = Buffer.from(JSON.stringify({ content: base64 }));
    expect(parseJsonDecodingBase64(json, [], parse)).toEqual({ content: base64 });
  });
});
