import { FeatureError } from './feature-error';
import type { FieldProblem } from './problem';

/** Failures of a request itself, whichever feature serves it. */
export enum RequestErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  NOT_FOUND = 'NOT_FOUND',
}

export class RequestError extends FeatureError<RequestErrorCode> {
  /** Each invalid field and the rules it broke, all at once. */
  static invalid(errors: FieldProblem[], detail = 'The request has invalid fields.'): RequestError {
    return new RequestError(RequestErrorCode.VALIDATION_FAILED, detail, { errors });
  }

  /** `what` is a noun phrase: "The signing" → "The signing was not found." */
  static notFound(what: string): RequestError {
    return new RequestError(RequestErrorCode.NOT_FOUND, `${what} was not found.`);
  }
}
