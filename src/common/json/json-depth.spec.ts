import { jsonTextTooDeep, jsonValueTooDeep } from './json-depth';

describe(jsonTextTooDeep.name, () => {
  const text = (value: string) => Buffer.from(value);

  it('counts arrays and objects, and nothing inside strings', () => {
    expect(jsonTextTooDeep(text('{"a":[{"b":[]}]}'), 4)).toBe(false);
    expect(jsonTextTooDeep(text('{"a":[{"b":[[]]}]}'), 4)).toBe(true);
    expect(jsonTextTooDeep(text('{"a":"[[[[[[[[","b":"\\"[[[[[["}'), 1)).toBe(false);
    expect(jsonTextTooDeep(text('[1,2,3][][]'), 1)).toBe(false);
  });

  it('leaves malformed texts to the parser', () => {
    expect(jsonTextTooDeep(text('{"a":"[[[[[['), 1)).toBe(false);
  });
});

describe(jsonValueTooDeep.name, () => {
  it('walks a parsed value without recursion, however deep', () => {
    let deep: unknown = {};
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(jsonValueTooDeep(deep, 32)).toBe(true);
    expect(jsonValueTooDeep({ a: [{ b: 1 }], c: 'x' }, 3)).toBe(false);
    expect(jsonValueTooDeep({ a: [{ b: [] }] }, 3)).toBe(true);
    expect(jsonValueTooDeep('text', 0)).toBe(false);
  });
});
