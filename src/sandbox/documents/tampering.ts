/**
 * Faults the sandbox can inject into a signed PDF, so the relying party's
 * verification can be exercised against documents that look signed but are not
 * genuine. Both keep the file readable: only a signature check notices.
 */

/**
 * Changes one byte inside the signed ranges: the minor digit of the
 * `%PDF-1.x` header, which every PDF has and every reader tolerates.
 */
export function flipByteInSignedRange(pdf: Buffer): Buffer {
  const tampered = Buffer.from(pdf);
  const header = tampered.indexOf('%PDF-');
  const digitAt = header + '%PDF-1.'.length;
  if (header < 0 || digitAt >= tampered.length || !isDigit(tampered[digitAt])) {
    throw new Error('Not a PDF: no %PDF-x.y header');
  }
  const digit = tampered[digitAt] - 0x30;
  tampered[digitAt] = 0x30 + (digit === 0 ? 1 : digit - 1);
  return tampered;
}

/** Appends bytes after the signature, as an incremental update made after signing would. */
export function appendAfterSignature(pdf: Buffer): Buffer {
  return Buffer.concat([pdf, Buffer.from('\n% content appended after signing\n', 'latin1')]);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
