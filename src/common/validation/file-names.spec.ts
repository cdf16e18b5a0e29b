import { isSafeFileName, MAX_FILE_NAME_LENGTH } from './file-names';

describe(isSafeFileName.name, () => {
  it.each([
    'test.pdf',
    'a',
    'Договор №5 (окончателен).pdf',
    'report.2024.final.pdf',
    'name with spaces.pdf',
    'x'.repeat(MAX_FILE_NAME_LENGTH),
  ])('accepts %j', (name) => {
    expect(isSafeFileName(name)).toBe(true);
  });

  it.each([
    ['', 'nothing'],
    ['   ', 'only spaces'],
    ['x'.repeat(MAX_FILE_NAME_LENGTH + 1), 'one character too many'],
    ['.hidden.pdf', 'a leading dot'],
    ['.', 'the current directory'],
    ['..', 'the parent directory'],
    ['../etc/passwd', 'a relative path'],
    ['a..b.pdf', 'two dots inside'],
    ['docs/a.pdf', 'a slash'],
    ['/a.pdf', 'an absolute path'],
    ['docs\\a.pdf', 'a backslash'],
    ['C:\\a.pdf', 'a Windows path'],
    ['a\u0000.pdf', 'a NUL character'],
    ['a\n.pdf', 'a newline'],
    ['a\t.pdf', 'a tab'],
    ['a\u007F.pdf', 'DEL'],
    ['a\u0085.pdf', 'a C1 control character'],
    ['invoice\u202Efdp.exe', 'a right-to-left override'],
    ['a\u200B.pdf', 'a zero-width space'],
    ['a\u2028.pdf', 'a line separator'],
  ])('refuses %j (%s)', (name) => {
    expect(isSafeFileName(name)).toBe(false);
  });

  it('refuses a value that is not a string', () => {
    expect(isSafeFileName(undefined as unknown as string)).toBe(false);
  });
});
