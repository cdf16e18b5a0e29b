import type { WebReviewProgress } from '../../btrust/web-review-progress';
import type { WebIdentificationStatus } from './web-identification.state';

export interface WebTiming {
  now: number;
  /** The web session's deadline: B-Trust's webSessionExpireDate / expiredOn, else creation + WEB_DEFAULT_VALIDITY_MS. */
  sessionDeadline: number;
  /** When an agent's review that has not ended is given up: review start + WEB_REVIEW_MAX_MS; null before a review. */
  reviewDeadline: number | null;
  /** BTRUST_DEADLINE_GRACE_MS. */
  graceMs: number;
}

export type WebDecision =
  /** Nothing changes; ask again later. */
  | { kind: 'stay' }
  /** The agent's review started: UNDER_REVIEW. */
  | { kind: 'review' }
  /** Approved: fetch the result (2.5), and only with it become IDENTIFIED. */
  | { kind: 'confirm' }
  | { kind: 'end'; status: Exclude<WebIdentificationStatus, 'STARTED' | 'UNDER_REVIEW' | 'IDENTIFIED'>; code: string; message: string };

/**
 * What one answer of scenarios 5 and 4 does to a web identification (design: a flow ends only on
 * evidence; every open record has a bound).
 *
 * A STARTED identification is bounded by its web session: once the deadline and the grace have
 * passed, an answer that still shows the person at it is the last ask, and it ends EXPIRED.
 * UNDER_REVIEW is not bounded by the web session: it waits for the agent until WEB_REVIEW_MAX_MS
 * after the review started, and only a last ask past that ends it (EXPIRED, REVIEW_TIMED_OUT).
 * Failure steps end it FAILED with the step as the code, never EXPIRED. An IDENTIFIED one only
 * moves on a refusal, which after approval is DENIED.
 */
export function decideWebProgress(current: WebIdentificationStatus, progress: WebReviewProgress, timing: WebTiming): WebDecision {
  if (current === 'IDENTIFIED') {
    return progress.kind === 'REFUSED'
      ? { kind: 'end', status: 'DENIED', code: 'IDENTIFICATION_DENIED', message: 'An agent at B-Trust denied the identification after approving it.' }
      : { kind: 'stay' };
  }
  if (current !== 'STARTED' && current !== 'UNDER_REVIEW') return { kind: 'stay' };
  switch (progress.kind) {
    case 'APPROVED':
      return { kind: 'confirm' };
    case 'CANCELLED':
      return { kind: 'end', status: 'CANCELLED', code: 'CANCELLED', message: 'The person cancelled the identification.' };
    case 'FAILED':
      return { kind: 'end', status: 'FAILED', code: progress.step, message: `B-Trust reported the failure step ${progress.step}.` };
    case 'REFUSED':
      return {
        kind: 'end',
        status: 'REJECTED',
        code: 'REJECTED',
        message: progress.byAgent ? 'An agent at B-Trust rejected the identification.' : 'B-Trust rejected the identification.',
      };
    case 'EXPIRED':
      return { kind: 'end', status: 'EXPIRED', code: 'EXPIRED', message: 'B-Trust reports the registration expired.' };
    case 'UNDER_REVIEW':
    case 'ONGOING':
      if (current === 'UNDER_REVIEW' || progress.kind === 'UNDER_REVIEW') {
        if (current === 'STARTED') return { kind: 'review' };
        return timing.reviewDeadline !== null && timing.now >= timing.reviewDeadline + timing.graceMs
          ? { kind: 'end', status: 'EXPIRED', code: 'REVIEW_TIMED_OUT', message: "B-Trust's agent had not finished the review within WEB_REVIEW_MAX_MS." }
          : { kind: 'stay' };
      }
      return timing.now >= timing.sessionDeadline + timing.graceMs
        ? { kind: 'end', status: 'EXPIRED', code: 'EXPIRED', message: 'The person did not finish the identification before the web session expired.' }
        : { kind: 'stay' };
  }
}
