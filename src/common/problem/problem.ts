import { HttpStatus } from '@nestjs/common';

/** One invalid field of a request, as listed in a VALIDATION_FAILED problem. */
export interface FieldProblem {
  /** Dotted path into the request, e.g. `documents.0.fileName`. */
  field: string;
  /** Stable machine-readable reasons, e.g. `isNotEmpty`, `EGN_CHECKSUM`. */
  codes: string[];
  messages: string[];
}

/**
 * An error the API answers with on purpose: it becomes an RFC 9457 problem
 * document with a stable `code` that frontends can switch on.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ApiProblem';
  }
}

export class ValidationProblem extends ApiProblem {
  constructor(readonly errors: FieldProblem[], detail = 'The request has invalid fields.') {
    super(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'Validation failed', detail, { errors });
  }
}

export class NotFoundProblem extends ApiProblem {
  constructor(what: string) {
    super(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'Not found', `${what} was not found.`);
  }
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
