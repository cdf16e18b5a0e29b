/**
 * Where a web identification stands at B-Trust, read from scenario 5 (`status`, `step`) and
 * scenario 4 (`status`, `reviewStatus`) together. This is the one place that knows the provider's
 * state names for it: features act on the kind, never on the names. Pure: no I/O.
 *
 * Reading: the document lists the values but not how they map to an outcome, and says the lists
 * may grow ("depending on the use-case"). So:
 * - a step that reports a failure (WEB_IDV_REGISTRATION_FAILED,
 *   UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED, or any new `…_FAILED`) is a failure, kept with
 *   its step; with the registration REJECTED beside it, it is a refusal;
 * - PROCESS_IS_CANCELED_BY_USER: the person gave up;
 * - review DENIED or registration REJECTED: refused (by an agent when the review says DENIED);
 * - registration EXPIRED: B-Trust's own word that it expired;
 * - FINALIZE_REJECT: an agent must still approve or reject, whatever scenario 5 says;
 * - registration FINALIZED, review ALLOWED, a sign session created (CREATE_SIGN_SESSION_REQUEST and
 *   the signing states, step SIGN_SESSION_ID_SUCCESSFULLY_CREATED): approved, to be confirmed by
 *   the result (2.5); under ALLOW_DENY an agent may still deny it;
 * - registration COMPLETED or review ALLOW_DENY without a sign session: all data is gathered and
 *   the agent's review is under way. The web session's date does not bound it;
 * - anything else, unknown values included: the person is still at it.
 */

export interface WebProgressReport {
  /** Scenario 5 `status`. */
  status: string | null;
  /** Scenario 5 `step`. */
  step: string | null;
  /** Scenario 4 `status`. */
  registrationStatus: string | null;
  /** Scenario 4 `reviewStatus`. */
  reviewStatus: string | null;
}

export type WebReviewProgress =
  /** The person is still going through the video identification. */
  | { kind: 'ONGOING' }
  /** All data gathered; an agent is reviewing it. */
  | { kind: 'UNDER_REVIEW' }
  /** Approved: the result (2.5) can be fetched. `mayStillBeDenied` while the review is ALLOW_DENY. */
  | { kind: 'APPROVED'; mayStillBeDenied: boolean }
  | { kind: 'CANCELLED' }
  /** Refused by the checks or an agent; `byAgent` when the review says DENIED. */
  | { kind: 'REFUSED'; byAgent: boolean; step: string | null }
  /** A step that reports a failure. */
  | { kind: 'FAILED'; step: string }
  /** The registration EXPIRED at B-Trust. */
  | { kind: 'EXPIRED' };

const FAILURE_STEPS: ReadonlySet<string> = new Set(['WEB_IDV_REGISTRATION_FAILED', 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED']);

const SIGN_SESSION_STATUSES: ReadonlySet<string> = new Set([
  'CREATE_SIGN_SESSION_REQUEST',
  'SIGN_SESSION',
  'SIGNING_CLIENT_DOCUMENT',
  'SIGNED_CLIENT_DOCUMENT',
  'PROCESS_IS_FINISHED',
]);

export function readWebReviewProgress(report: WebProgressReport): WebReviewProgress {
  const status = report.status?.trim().toUpperCase() ?? null;
  const step = report.step?.trim().toUpperCase() ?? null;
  const registration = report.registrationStatus?.trim().toUpperCase() ?? null;
  const review = report.reviewStatus?.trim().toUpperCase() ?? null;

  const refused = registration === 'REJECTED' || review === 'DENIED';
  if (step !== null && (FAILURE_STEPS.has(step) || step.endsWith('_FAILED'))) {
    return refused ? { kind: 'REFUSED', byAgent: review === 'DENIED', step: report.step } : { kind: 'FAILED', step: report.step as string };
  }
  if (status === 'PROCESS_IS_CANCELED_BY_USER') return { kind: 'CANCELLED' };
  if (refused) return { kind: 'REFUSED', byAgent: review === 'DENIED', step: null };
  if (registration === 'EXPIRED') return { kind: 'EXPIRED' };
  if (review === 'FINALIZE_REJECT') return { kind: 'UNDER_REVIEW' };
  if (
    registration === 'FINALIZED' ||
    review === 'ALLOWED' ||
    SIGN_SESSION_STATUSES.has(status ?? '') ||
    step === 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED'
  ) {
    return { kind: 'APPROVED', mayStillBeDenied: review === 'ALLOW_DENY' };
  }
  if (registration === 'COMPLETED' || review === 'ALLOW_DENY') return { kind: 'UNDER_REVIEW' };
  return { kind: 'ONGOING' };
}
