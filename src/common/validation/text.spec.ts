import { isMultiLineText, isSingleLineText } from './text';

describe(isSingleLineText.name, () => {
  it.each(['Opening a savings account', 'Откриване на сметка', 'Zoë’s “loan” — 4711 €', ''])('accepts %j', (value) => {
    expect(isSingleLineText(value)).toBe(true);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a C0 control', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['the last C1 control', 'a\u009fb'],
    ['a tab', 'a\tb'],
    ['a line feed', 'a\nb'],
    ['a carriage return', 'a\rb'],
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
  ])('refuses %s', (_name, value) => {
    expect(isSingleLineText(value)).toBe(false);
  });
});

describe(isMultiLineText.name, () => {
  it.each(['one line', 'two\nlines', 'tab\tseparated', 'windows\r\nline end', '\u2028'])('accepts %j', (value) => {
    expect(isMultiLineText(value)).toBe(true);
  });

  it.each(['a\u0000b', 'a\u0007b', 'a\u000bb', 'a\u007fb', 'a\u0090b'])('refuses %j', (value) => {
    expect(isMultiLineText(value)).toBe(false);
  });
});
