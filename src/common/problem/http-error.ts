import { FeatureError } from './feature-error';

/**
 * The HTTP layer's own codes: what guards, pipes, the body parser, routing and the connection
 * limits answer before (or instead of) a feature.
 */
export enum HttpErrorCode {
  BAD_REQUEST = 'BAD_REQUEST',
  MALFORMED_JSON = 'MALFORMED_JSON',
  /** Arrays and objects nested deeper than HTTP_JSON_MAX_DEPTH. */
  JSON_TOO_DEEP = 'JSON_TOO_DEEP',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
  /** The request's head did not arrive in time. */
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  /** The request's body stopped arriving. */
  BODY_TIMEOUT = 'BODY_TIMEOUT',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE = 'UNPROCESSABLE',
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
}

/**
 * A refusal by the HTTP layer that needs response headers of its own (`WWW-Authenticate`,
 * `Accept`). Its status and title come from the catalogue like every other code's.
 */
export class ApiProblem extends FeatureError<HttpErrorCode> {
  constructor(
    code: HttpErrorCode,
    detail: string,
    extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail, extensions);
  }
}
