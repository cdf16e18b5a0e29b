import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';
import { EID_CERTIFICATE_TITLE, EidCertificateInput, renderEidCertificatePdf } from './eid-certificate-pdf';

/** The text the page shows: pdf-lib writes standard-font text as hex strings in a Flate stream. */
async function pageText(pdf: Buffer): Promise<string> {
  const document = await PDFDocument.load(pdf);
  const contents = document.getPages()[0].node.Contents();
  const stream = contents instanceof PDFArray ? document.context.lookup(contents.get(0)) : contents;
  const operators = inflateSync(Buffer.from((stream as PDFRawStream).contents)).toString('latin1');
  return [...operators.matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((match) => Buffer.from(match[1], 'hex').toString('latin1')).join('\n');
}

const input: EidCertificateInput = {
  fullName: 'Maria Georgieva Petrova',
  identifierMasked: '780516****',
  identificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
  identifiedAt: new Date('2024-03-01T10:20:30Z'),
  reason: 'Opening a bank account',
  relyingPartyId: '24102167',
};

describe(renderEidCertificatePdf.name, () => {
  it('renders a one-page PDF titled as the sandbox eID certificate that names the person', async () => {
    const pdf = await renderEidCertificatePdf(input);
    const document = await PDFDocument.load(pdf);
    const text = await pageText(pdf);

    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(document.getPageCount()).toBe(1);
    expect(document.getTitle()).toBe(EID_CERTIFICATE_TITLE);
    expect(text).toContain(EID_CERTIFICATE_TITLE);
    expect(text).toContain('Maria Georgieva Petrova');
    expect(text).toContain('780516****');
    expect(text).toContain('2024-03-01 10:20:30 UTC');
    expect(text).toContain('Opening a bank account');
    expect(text).toContain('24102167');
    expect(text.replace(/\n/g, '')).toContain(input.identificator);
  });

  it('transliterates a Cyrillic name on the page and keeps it as written in the metadata', async () => {
    const pdf = await renderEidCertificatePdf({ ...input, fullName: 'Мария Георгиева Щерева' });
    const document = await PDFDocument.load(pdf);

    expect(await pageText(pdf)).toContain('Mariya Georgieva Shtereva');
    expect(document.getSubject()).toContain('Мария Георгиева Щерева');
  });

  it('does not fail on characters no standard font can show', async () => {
    const pdf = await renderEidCertificatePdf({ ...input, fullName: '王小明 Ελένη 😀', reason: 'ünïcödé ✓' });
    const text = await pageText(pdf);

    expect(text).toContain('???');
    expect(text).toContain('ünïcödé ?');
  });
});
