import { StreamableFile } from '@nestjs/common';

/** RFC 5987 attr-char: what may stand unencoded in `filename*`. Everything else is percent-encoded, byte by byte. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;
/** What the plain `filename` keeps: letters, digits and a few marks no browser or proxy reads as syntax. */
const FALLBACK_UNSAFE = /[^A-Za-z0-9._\- ()]/g;
const FALLBACK_BASE = 'document';
const PDF_EXTENSION = /\.pdf$/i;

/**
 * A PDF answer offered for download under its name. The name always ends in
 * `.pdf`, whatever the uploader called the file, so the downloaded file opens
 * as a PDF and as nothing else. RFC 6266: `filename*` carries the name in
 * UTF-8, percent-encoded as RFC 5987 requires (no quote, parenthesis or
 * apostrophe left as is); `filename` is an ASCII fallback for old clients,
 * with every other character replaced.
 */
export function pdfDownload(content: Buffer, fileName: string): StreamableFile {
  return new StreamableFile(content, { type: 'application/pdf', length: content.length, disposition: pdfContentDisposition(fileName) });
}

export function pdfContentDisposition(fileName: string): string {
  const name = PDF_EXTENSION.test(fileName) ? fileName : `${fileName}.pdf`;
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${percentEncoded(name)}`;
}

function asciiFallback(name: string): string {
  const base = name
    .replace(PDF_EXTENSION, '')
    // Accented Latin letters keep their letter (é → e); other scripts become underscores.
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(FALLBACK_UNSAFE, '_');
  return `${/[A-Za-z0-9]/.test(base) ? base : FALLBACK_BASE}.pdf`;
}

function percentEncoded(name: string): string {
  let encoded = '';
  for (const character of name) {
    if (ATTR_CHAR.test(character)) encoded += character;
    else for (const byte of Buffer.from(character, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}
