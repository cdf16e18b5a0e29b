/** How a returned document was paired with an original. */
export const MATCHED_BY = ['content', 'revision', 'order'] as const;
export type MatchedBy = (typeof MATCHED_BY)[number];

export interface SignedDocumentPairing {
  /** For the i-th original: the position of its signed document in B-Trust's answer, or null when none came for it. */
  signedIndexFor: Array<number | null>;
  /** How each original's document was paired (null when none came). */
  matchedBy: Array<MatchedBy | null>;
  /** Positions in B-Trust's answer that belong to no original: kept, flagged, never discarded. */
  unmatched: number[];
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/**
 * Pairs the signed documents B-Trust returned with the originals we sent, by what they contain.
 *
 * Reading: 3.3's `filename` is "Signature file name" and nothing says it is the name sent in
 * 3.1, nor that the order is kept, so neither decides. A PAdES signature is an incremental
 * update: the original's bytes are the signed file's first bytes (`content`). Should a producer
 * have touched the original's trailing whitespace, the signed file's `/Prev` chain still names
 * the original's last cross-reference offset (`revision`, used only when it names one original
 * alone). What is left is paired by position when as many originals as documents are left
 * (`order`); otherwise it stays unpaired.
 */
export function matchSignedDocuments(originals: readonly Buffer[], returned: readonly Buffer[]): SignedDocumentPairing {
  const signedIndexFor: Array<number | null> = originals.map(() => null);
  const matchedBy: Array<MatchedBy | null> = originals.map(() => null);
  const taken = new Set<number>();
  const pair = (original: number, signed: number, how: MatchedBy) => {
    signedIndexFor[original] = signed;
    matchedBy[original] = how;
    taken.add(signed);
  };

  const trimmed = originals.map(withoutTrailingWhitespace);
  // Longest originals first: one original that is a prefix of another must not take the other's signed file.
  const byLength = originals.map((_, index) => index).sort((a, b) => trimmed[b].length - trimmed[a].length);
  for (const original of byLength) {
    const signed = returned.findIndex((candidate, index) => !taken.has(index) && startsWith(candidate, trimmed[original]));
    if (signed >= 0) pair(original, signed, 'content');
  }

  const lastXrefOf = originals.map(lastStartXref);
  const previousOf = returned.map(previousXrefOffsets);
  for (const [original, offset] of lastXrefOf.entries()) {
    if (signedIndexFor[original] !== null || offset === null) continue;
    const sameOffset = lastXrefOf.filter((other, index) => other === offset && signedIndexFor[index] === null).length;
    const candidates = returned.map((_, index) => index).filter((index) => !taken.has(index) && previousOf[index].has(offset));
    if (sameOffset === 1 && candidates.length === 1) pair(original, candidates[0], 'revision');
  }

  const leftOriginals = originals.map((_, index) => index).filter((index) => signedIndexFor[index] === null);
  const leftReturned = returned.map((_, index) => index).filter((index) => !taken.has(index));
  if (leftOriginals.length === leftReturned.length) {
    leftOriginals.forEach((original, position) => pair(original, leftReturned[position], 'order'));
  }
  return { signedIndexFor, matchedBy, unmatched: returned.map((_, index) => index).filter((index) => !taken.has(index)) };
}

function withoutTrailingWhitespace(content: Buffer): Buffer {
  let end = content.length;
  while (end > 0 && WHITESPACE.has(content[end - 1])) end--;
  return content.subarray(0, end);
}

function startsWith(content: Buffer, prefix: Buffer): boolean {
  return prefix.length > 0 && content.length > prefix.length && content.subarray(0, prefix.length).equals(prefix);
}

/** The offset after the last `startxref`: where the file's newest cross-reference section starts. */
function lastStartXref(content: Buffer): number | null {
  const tail = content.subarray(Math.max(0, content.length - 1024)).toString('latin1');
  const found = [...tail.matchAll(/startxref\s+(\d+)/g)].pop();
  return found ? Number(found[1]) : null;
}

/** Every `/Prev` offset in the file's trailers and cross-reference streams: the revisions it updates. */
function previousXrefOffsets(content: Buffer): Set<number> {
  // An outline item's `/Prev 12 0 R` is a reference, not an offset.
  return new Set([...content.toString('latin1').matchAll(/\/Prev\s+(\d+)\b(?!\s+\d+\s+R)/g)].map((found) => Number(found[1])));
}
