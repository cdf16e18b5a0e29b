/**
 * Greedy word wrap for text drawn with a standard font; a word wider than the
 * line (a 64-character identificator) is cut where it overflows.
 */
export function wrapText(text: string, widthOf: (text: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter((part) => part.length > 0)) {
    const candidate = current ? `${current} ${word}` : word;
    if (widthOf(candidate) <= maxWidth) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    while (current.length > 1 && widthOf(current) > maxWidth) {
      let cut = current.length - 1;
      while (cut > 1 && widthOf(current.slice(0, cut)) > maxWidth) cut--;
      lines.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  lines.push(current);
  return lines;
}
