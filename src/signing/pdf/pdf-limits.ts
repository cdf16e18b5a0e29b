/** The bounds one inspection works within (see PdfParsingLimits in the configuration). */
export interface PdfInspectionLimits {
  maxInflatedBytes: number;
  maxObjects: number;
}

/** Which bound a document crossed: the ones checked here, and the time and memory its worker is given. */
export type PdfLimit = 'inflatedBytes' | 'objects' | 'time' | 'memory';

export class PdfLimitExceededError extends Error {
  constructor(
    readonly limit: PdfLimit,
    message: string,
  ) {
    super(message);
    this.name = PdfLimitExceededError.name;
  }
}
