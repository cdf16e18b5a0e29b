import { PDFDocument, PDFFont, PDFPage, StandardFonts, rgb } from 'pdf-lib';
import { toWinAnsiText } from './latin-text';
import { wrapText } from './text-wrap';

export interface EidCertificateInput {
  fullName: string;
  identifierMasked: string;
  identificator: string;
  identifiedAt: Date;
  reason: string;
  relyingPartyId: string;
}

export const EID_CERTIFICATE_TITLE = 'Electronic identity certificate (sandbox)';

const A4_WIDTH = 595.28;
const A4_HEIGHT = 841.89;
const MARGIN = 56;
const LABEL_WIDTH = 150;
const BODY_SIZE = 11;
const LINE_GAP = 5;

/**
 * The eID certificate the sandbox hands back after an identification, in the
 * place of B-Trust's. It states who was identified, when, why and for whom;
 * the banner says it is not a real identity document.
 */
export async function renderEidCertificatePdf(input: EidCertificateInput): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setTitle(EID_CERTIFICATE_TITLE);
  // Info strings are UTF-16, so the metadata keeps the name as written even where the page transliterates it.
  document.setSubject(`Electronic identity certificate of ${input.fullName}`);
  document.setProducer('B-Trust sandbox');
  document.setCreator('B-Trust sandbox');
  document.setCreationDate(input.identifiedAt);
  document.setModificationDate(input.identifiedAt);

  const regular = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  const page = document.addPage([A4_WIDTH, A4_HEIGHT]);
  let y = A4_HEIGHT - MARGIN;

  page.drawText(EID_CERTIFICATE_TITLE, { x: MARGIN, y: y - 18, size: 18, font: bold });
  y -= 18 + 14;
  page.drawText('Issued by the B-Trust sandbox for testing. It does not identify anyone.', {
    x: MARGIN,
    y: y - 10,
    size: 10,
    font: regular,
    color: rgb(0.7, 0.1, 0.1),
  });
  y -= 10 + 24;

  const rows: Array<[string, string]> = [
    ['Full name', input.fullName],
    ['Identifier', input.identifierMasked],
    ['eID identificator', input.identificator],
    ['Identified at (UTC)', formatUtc(input.identifiedAt)],
    ['Reason', input.reason],
    ['Relying party', input.relyingPartyId],
  ];
  for (const [label, value] of rows) {
    y = drawRow(page, { regular, bold }, label, value, y);
  }
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

function drawRow(page: PDFPage, fonts: { regular: PDFFont; bold: PDFFont }, label: string, value: string, top: number): number {
  const valueWidth = A4_WIDTH - 2 * MARGIN - LABEL_WIDTH;
  const lines = wrapText(toWinAnsiText(value), (text) => fonts.regular.widthOfTextAtSize(text, BODY_SIZE), valueWidth);
  page.drawText(label, { x: MARGIN, y: top - BODY_SIZE, size: BODY_SIZE, font: fonts.bold });
  let y = top;
  for (const line of lines) {
    page.drawText(line, { x: MARGIN + LABEL_WIDTH, y: y - BODY_SIZE, size: BODY_SIZE, font: fonts.regular });
    y -= BODY_SIZE + LINE_GAP;
  }
  return y - LINE_GAP;
}

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
