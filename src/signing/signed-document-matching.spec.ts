import { matchSignedDocuments } from './signed-document-matching';

describe(matchSignedDocuments.name, () => {
  it('matches by order when the names agree or are missing', () => {
    expect(matchSignedDocuments(['a.pdf', 'b.pdf'], ['a.pdf', null])).toEqual({ matched: true, signedIndexFor: [0, 1] });
  });

  it('follows the names when B-Trust returns our documents in another order', () => {
    expect(matchSignedDocuments(['a.pdf', 'b.pdf', 'c.pdf'], ['c.pdf', 'a.pdf', 'b.pdf'])).toEqual({
      matched: true,
      signedIndexFor: [1, 2, 0],
    });
  });

  it('refuses a different number of documents', () => {
    expect(matchSignedDocuments(['a.pdf', 'b.pdf'], ['a.pdf'])).toMatchObject({ matched: false });
  });

  it('refuses a name we did not send, or a reordering it cannot resolve', () => {
    expect(matchSignedDocuments(['a.pdf', 'b.pdf'], ['a.pdf', 'x.pdf'])).toMatchObject({ matched: false });
    expect(matchSignedDocuments(['a.pdf', 'b.pdf'], ['b.pdf', null])).toMatchObject({ matched: false });
    expect(matchSignedDocuments(['a.pdf', 'b.pdf'], ['b.pdf', 'b.pdf'])).toMatchObject({ matched: false });
  });
});
