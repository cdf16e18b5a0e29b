export type SignedDocumentMatch = { matched: true; signedIndexFor: number[] } | { matched: false; reason: string };

/**
 * Pairs the signed documents B-Trust returned with the originals we sent: the
 * i-th original gets the signed document at `signedIndexFor[i]`.
 *
 * Reading: 3.3 returns `signDocuments` with a `filename` each, in no order the
 * document promises. The order of the request is taken first; when the names
 * say otherwise and every returned name is one of ours exactly once (our names
 * are unique within a signing), the names decide. A document without a name
 * is matched by its position. A different count, or a name we did not send,
 * is no match at all.
 */
export function matchSignedDocuments(originalNames: string[], returnedNames: Array<string | null>): SignedDocumentMatch {
  if (returnedNames.length !== originalNames.length) {
    return { matched: false, reason: `B-Trust returned ${returnedNames.length} document(s) for ${originalNames.length} sent` };
  }
  const byOrder = originalNames.every((name, index) => returnedNames[index] === null || returnedNames[index] === name);
  if (byOrder) return { matched: true, signedIndexFor: originalNames.map((_, index) => index) };

  const positionOfName = new Map(returnedNames.map((name, index) => [name, index]));
  const allNamed = returnedNames.every((name) => name !== null) && positionOfName.size === returnedNames.length;
  if (allNamed && originalNames.every((name) => positionOfName.has(name))) {
    return { matched: true, signedIndexFor: originalNames.map((name) => positionOfName.get(name) as number) };
  }
  return { matched: false, reason: 'the returned file names do not match the documents sent' };
}
