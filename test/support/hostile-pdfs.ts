import { createDeflate } from 'node:zlib';

const MEBIBYTE = 1024 * 1024;

/**
 * A PDF of one blank page, written by hand so that every byte is what the
 * test means, with `extra` objects numbered from 4 on (their bodies, without
 * `N 0 obj`/`endobj`). The cross-reference table is exact.
 */
export function handWrittenPdf(extra: Array<string | Buffer> = [], catalogEntries = ''): Buffer {
  const bodies: Array<string | Buffer> = [
    `<< /Type /Catalog /Pages 2 0 R ${catalogEntries}>>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    ...extra,
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0].length;
  bodies.forEach((body, index) => {
    offsets.push(length);
    const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(object);
    length += object.length;
  });
  const xref = [`xref\n0 ${bodies.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** `prefix` then `zeroBytes` zero bytes, deflated as they are produced (the zeros are never held whole). */
async function deflatedWithZeros(prefix: Buffer, zeroBytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  deflate.write(prefix);
  const zeros = Buffer.alloc(MEBIBYTE);
  for (let written = 0; written < zeroBytes; written += zeros.length) {
    if (!deflate.write(zeros.subarray(0, Math.min(zeros.length, zeroBytes - written)))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(chunks);
}

/** A stream object's body: `dictionary` entries, /Length added. */
export function streamObject(dictionary: string, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]);
}

/**
 * A decompression bomb: a valid one-page PDF whose object stream (which a
 * parser inflates to read the objects in it) inflates to `inflatedMiB` MiB,
 * zeros after one small object. About 1 MB per 1,000 MiB.
 */
export async function objectStreamBomb(inflatedMiB: number): Promise<Buffer> {
  const header = '5 0 ';
  const stream = await deflatedWithZeros(Buffer.from(`${header}<< /Producer (bomb) >> `), inflatedMiB * MEBIBYTE);
  return handWrittenPdf([streamObject(`/Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode`, stream)]);
}
