import { StreamableFile } from '@nestjs/common';

/** A PDF answer with a safe download name (RFC 6266 with an RFC 5987 UTF-8 variant). */
export function pdfDownload(content: Buffer, fileName: string): StreamableFile {
  const asciiName = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new StreamableFile(content, {
    type: 'application/pdf',
    length: content.length,
    disposition: `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
  });
}
