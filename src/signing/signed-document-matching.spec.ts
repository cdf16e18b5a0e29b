import { matchSignedDocuments } from './signed-document-matching';

/** An original as a producer writes it: body, cross-reference table at `xref`, trailer. */
const original = (label: string, xref: number) => Buffer.from(`%PDF-1.7\n${label}\nxref\ntrailer\n<<>>\nstartxref\n${xref}\n%%EOF\n`, 'latin1');
/** Its incremental update: the original's bytes, then a new revision whose trailer points back at them. */
const signed = (of: Buffer, xref: number) => Buffer.concat([of, Buffer.from(`sig\nxref\ntrailer\n<</Prev ${xref}>>\nstartxref\n999\n%%EOF\n`, 'latin1')]);

describe(matchSignedDocuments.name, () => {
  const a = original('contract a', 100);
  const b = original('contract b', 200);
  const c = original('contract c', 300);

  it('pairs by content whatever the order of the answer', () => {
    expect(matchSignedDocuments([a, b, c], [signed(c, 300), signed(a, 100), signed(b, 200)])).toEqual({
      signedIndexFor: [1, 2, 0],
      matchedBy: ['content', 'content', 'content'],
      unmatched: [],
    });
  });

  it('does not let an original that is a prefix of another take the other one\'s signed file', () => {
    const short = Buffer.from('%PDF-1.7\nshort', 'latin1');
    const long = Buffer.concat([short, Buffer.from(' and longer\n%%EOF\n', 'latin1')]);
    expect(matchSignedDocuments([short, long], [signed(long, 1), signed(short, 2)]).signedIndexFor).toEqual([1, 0]);
  });

  it('pairs by the /Prev chain when the original\'s trailing bytes were rewritten', () => {
    const rewritten = Buffer.concat([Buffer.from(b.toString('latin1').replace(/\n$/, '\r\n'), 'latin1'), Buffer.from('x')]);
    const returned = Buffer.concat([Buffer.from(rewritten.toString('latin1').replace('contract b', 'contract B')), Buffer.from('\ntrailer\n<</Prev 200>>\n')]);
    expect(matchSignedDocuments([a, b], [returned, signed(a, 100)])).toEqual({ signedIndexFor: [1, 0], matchedBy: ['content', 'revision'], unmatched: [] });
  });

  it('ignores an outline item\'s /Prev reference', () => {
    const outline = Buffer.from('%PDF-1.7\nother\n<</Prev 10 0 R>>\n', 'latin1');
    expect(matchSignedDocuments([original('contract a', 10), original('contract a', 1)], [outline, outline]).matchedBy).toEqual(['order', 'order']);
  });

  it('falls back to order for what content cannot pair when as many are left on both sides', () => {
    const unrelated = Buffer.from('%PDF-1.7\nre-written\n', 'latin1');
    expect(matchSignedDocuments([a, b], [unrelated, signed(a, 100)])).toEqual({ signedIndexFor: [1, 0], matchedBy: ['content', 'order'], unmatched: [] });
  });

  it('keeps a document that belongs to no original as unmatched', () => {
    const extra = Buffer.from('%PDF-1.7\nreceipt\n', 'latin1');
    expect(matchSignedDocuments([a], [extra, signed(a, 100)])).toEqual({ signedIndexFor: [1], matchedBy: ['content'], unmatched: [0] });
  });

  it('leaves an original without a signed document when fewer came back and none matches it', () => {
    const unrelated = Buffer.from('%PDF-1.7\nre-written\n', 'latin1');
    expect(matchSignedDocuments([a, b, c], [signed(b, 200), unrelated])).toEqual({
      signedIndexFor: [null, 0, null],
      matchedBy: [null, 'content', null],
      unmatched: [1],
    });
  });
});
