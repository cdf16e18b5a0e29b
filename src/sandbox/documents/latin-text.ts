/**
 * The PDF standard fonts (Helvetica with WinAnsiEncoding) cannot show
 * Cyrillic, and the sandbox embeds no font files. Names are therefore shown
 * in Bulgaria's official transliteration (Transliteration Act, 2009), and any
 * character still outside WinAnsi becomes '?', so rendering never fails.
 */
const BULGARIAN_TRANSLITERATION: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u',
  ф: 'f', х: 'h', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sht', ъ: 'a', ь: 'y', ю: 'yu', я: 'ya',
  ё: 'yo', ы: 'y', э: 'e', є: 'ye', і: 'i', ї: 'yi', ґ: 'g',
};

// WinAnsiEncoding's code points beyond Latin-1 (ISO 32000-1, Annex D).
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function toWinAnsiText(text: string): string {
  let result = '';
  for (const char of text.normalize('NFC')) {
    result += transliterateChar(char);
  }
  return result;
}

function transliterateChar(char: string): string {
  if (isWinAnsi(char)) return char;
  const lower = char.toLowerCase();
  const latin = BULGARIAN_TRANSLITERATION[lower];
  if (latin !== undefined) {
    return char === lower ? latin : latin.charAt(0).toUpperCase() + latin.slice(1);
  }
  const withoutMarks = char.normalize('NFD').replace(/\p{M}/gu, '');
  if (withoutMarks.length > 0 && [...withoutMarks].every(isWinAnsi)) return withoutMarks;
  return /\s/u.test(char) ? ' ' : '?';
}

function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}
