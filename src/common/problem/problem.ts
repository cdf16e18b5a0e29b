/** One invalid field of a request, as listed in a VALIDATION_FAILED problem. */
export interface FieldProblem {
  /** Dotted path into the request, e.g. `documents.0.fileName`. */
  field: string;
  /** Stable machine-readable reasons, e.g. `isNotEmpty`, `EGN_CHECKSUM`. */
  codes: string[];
  messages: string[];
}

/** The body every error response carries (`application/problem+json`). */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A problem answered before and stored (an Idempotency-Key's first answer): a replay sends its
 * status and body as they were, whatever the catalogue says today.
 */
export class StoredProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: ProblemDocument,
  ) {
    super(body.detail ?? body.title);
    this.name = 'StoredProblem';
  }
}
