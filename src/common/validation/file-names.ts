export const MAX_FILE_NAME_LENGTH = 120;

/**
 * Path separators of any platform, and control or format characters: the
 * latter include NUL and the bidirectional overrides that make
 * `invoice\u202Efdp.exe` display as `invoiceexe.pdf`.
 */
const FORBIDDEN_CHARACTER = /[/\\\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * A file name that can be stored, shown to the customer and offered for
 * download without naming another path or hiding its real ending: not blank,
 * at most 120 UTF-16 code units (so never more than 120 characters), no
 * leading dot (hidden files, `.` and `..`), no `..` anywhere, no path
 * separators and no control or format characters.
 */
export function isSafeFileName(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.trim() !== '' &&
    value.length <= MAX_FILE_NAME_LENGTH &&
    !value.startsWith('.') &&
    !value.includes('..') &&
    !FORBIDDEN_CHARACTER.test(value)
  );
}
