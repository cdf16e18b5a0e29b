import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * A real one-page PDF of exactly `size` bytes: the page says what it is, and
 * an unreferenced stream of random (incompressible) bytes brings it to size,
 * so that nothing along the way can shrink it.
 */
export async function paddedPdf(size: number, title: string): Promise<Buffer> {
  const render = async (paddingBytes: number): Promise<Buffer> => {
    const document = await PDFDocument.create();
    const page = document.addPage([595, 842]);
    page.drawText(title, { x: 56, y: 780, size: 14, font: await document.embedFont(StandardFonts.Helvetica) });
    document.context.register(document.context.stream(randomBytes(Math.max(0, paddingBytes))));
    return Buffer.from(await document.save({ useObjectStreams: false }));
  };
  let padding = size - (await render(0)).length;
  for (let attempt = 0; attempt < 5; attempt++) {
    const pdf = await render(padding);
    if (pdf.length === size) return pdf;
    padding += size - pdf.length;
  }
  throw new Error(`could not make a PDF of exactly ${size} bytes`);
}
