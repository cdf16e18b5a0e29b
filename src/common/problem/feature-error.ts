/**
 * A failure a service expects and names in its feature's own words: a code from the feature's
 * enum, a detail that is safe to show, and the extension members its problem carries. Services
 * throw these and never name an HTTP status; which status and title each code answers with is
 * decided in one place, `problem-catalogue.ts`.
 */
export abstract class FeatureError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    /** When the caller may try again, and after how long (sent as `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}
