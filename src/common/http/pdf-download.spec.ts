import { pdfContentDisposition } from './pdf-download';

/** The parameters of a Content-Disposition value, as a strict RFC 6266 parser reads them. */
function parameters(disposition: string): { filename: string; filenameStar: string } {
  const match = /^attachment; filename="([\x20\x21\x23-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/.exec(disposition);
  if (!match) throw new Error(`not a strict RFC 6266 value: ${disposition}`);
  return { filename: match[1], filenameStar: decodeURIComponent(match[2]) };
}

describe(pdfContentDisposition.name, () => {
  it('keeps a name that ends in .pdf, and gives one that does not the extension', () => {
    expect(parameters(pdfContentDisposition('contract-4711.pdf'))).toEqual({ filename: 'contract-4711.pdf', filenameStar: 'contract-4711.pdf' });
    expect(parameters(pdfContentDisposition('Contract.PDF')).filenameStar).toBe('Contract.PDF');
    expect(parameters(pdfContentDisposition('contract.exe'))).toEqual({ filename: 'contract.exe.pdf', filenameStar: 'contract.exe.pdf' });
    expect(parameters(pdfContentDisposition('contract')).filenameStar).toBe('contract.pdf');
  });

  it('percent-encodes everything outside attr-char in filename*, quotes, parentheses and apostrophes included', () => {
    const disposition = pdfContentDisposition(`O'Brien (copy) "final"; v2*.pdf`);
    expect(disposition).toContain(`filename*=UTF-8''O%27Brien%20%28copy%29%20%22final%22%3B%20v2%2A.pdf`);
    expect(parameters(disposition).filenameStar).toBe(`O'Brien (copy) "final"; v2*.pdf`);
  });

  it('encodes UTF-8 names byte by byte and gives an ASCII fallback without anything a header could misread', () => {
    const cyrillic = parameters(pdfContentDisposition('Договор за кредит №7.pdf'));
    expect(cyrillic.filenameStar).toBe('Договор за кредит №7.pdf');
    expect(cyrillic.filename).toMatch(/^[A-Za-z0-9._\- ()]+\.pdf$/);
    expect(parameters(pdfContentDisposition('Договор.pdf')).filename).toBe('document.pdf');
    expect(parameters(pdfContentDisposition('Café crème.pdf')).filename).toBe('Cafe creme.pdf');
    expect(parameters(pdfContentDisposition('a"b\\c;d%e.pdf')).filename).toBe('a_b_c_d_e.pdf');
  });
});
