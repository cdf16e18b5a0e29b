import type { WebIdentificationStatus } from './web-identification.state';

export interface ProviderProgress {
  /** Scenario 5 `status`. */
  status: string | null;
  /** Scenario 5 `step`. */
  step: string | null;
  /** Scenario 4 `status`. */
  registrationStatus: string | null;
  /** Scenario 4 `reviewStatus`. */
  reviewStatus: string | null;
}

export type WebProgressVerdict = Exclude<WebIdentificationStatus, 'STARTED' | 'FAILED'> | 'OPEN';

/**
 * Reading: the document lists the status, step and registration values but
 * not how they map to an outcome. This is the one place that decides:
 * - the person gave up: status PROCESS_IS_CANCELED_BY_USER → CANCELLED;
 * - an agent or the checks refused: registration REJECTED or review DENIED → REJECTED;
 * - registration EXPIRED → EXPIRED;
 * - the identification produced a sign session (status CREATE_SIGN_SESSION_REQUEST
 *   or later signing states, step SIGN_SESSION_ID_SUCCESSFULLY_CREATED, or
 *   registration FINALIZED) → IDENTIFIED, to be confirmed by fetching the result;
 * - anything else is still open; past our own expiry it is EXPIRED.
 */
export function interpretWebProgress(progress: ProviderProgress, expired: boolean): WebProgressVerdict {
  if (progress.status === 'PROCESS_IS_CANCELED_BY_USER') return 'CANCELLED';
  if (progress.registrationStatus === 'REJECTED' || progress.reviewStatus === 'DENIED') return 'REJECTED';
  if (progress.registrationStatus === 'EXPIRED') return 'EXPIRED';
  if (
    IDENTIFIED_STATUSES.has(progress.status ?? '') ||
    progress.step === 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED' ||
    progress.registrationStatus === 'FINALIZED'
  ) {
    return 'IDENTIFIED';
  }
  return expired ? 'EXPIRED' : 'OPEN';
}

const IDENTIFIED_STATUSES = new Set([
  'CREATE_SIGN_SESSION_REQUEST',
  'SIGN_SESSION',
  'SIGNING_CLIENT_DOCUMENT',
  'SIGNED_CLIENT_DOCUMENT',
  'PROCESS_IS_FINISHED',
]);
