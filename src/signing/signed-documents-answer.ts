import type { AnswerClass } from '../btrust/btrust-reading-policy';

export interface SigningTiming {
  now: number;
  /** The sign session's expiry (3.1's expireDate), or creation + SIGNING_DEFAULT_VALIDITY_MS. */
  deadline: number;
  /** BTRUST_DEADLINE_GRACE_MS. */
  graceMs: number;
}

export type UnsignedDecision =
  /** Nothing changes; ask again on the next webhook or reconciliation round. */
  | { kind: 'wait' }
  /** B-Trust could not be asked: the caller retries, the signing stays PENDING. */
  | { kind: 'retry' }
  | { kind: 'end'; status: 'REJECTED' | 'EXPIRED'; code: string; message: string };

/**
 * What a PENDING signing does when 3.3 did not hand over the signed documents.
 *
 * Reading: 3.3 has no "not yet" answer; before the person signs it may answer 404 NOT_FOUND, 400
 * or 404 REJECTED alike (NOT_YET, as is any refusal of a result read). The sure signals that a
 * signing ended are 3.3's 200, and the sign session's expiry passing. So before the deadline (+
 * grace) such an answer ends nothing, unless B-Trust's own webhook said REJECTED for this
 * signing: then two answers of the provider agree that the person refused. From the deadline
 * (+ grace) on, the first such answer is the last ask: EXPIRED (or REJECTED, on that webhook).
 * An answer we could not get (TRANSIENT), or B-Trust refusing our access (CONFIGURATION_FAULT,
 * counted and surfaced by the client) never ends it: it is asked again, deadline or not,
 * because a signed contract may be waiting there.
 */
export function decideUnsigned(answerClass: AnswerClass, timing: SigningTiming, webhookSaidRejected: boolean): UnsignedDecision {
  if (answerClass !== 'NOT_YET' && answerClass !== 'DEFINITIVE') return { kind: 'retry' };
  if (webhookSaidRejected) return { kind: 'end', status: 'REJECTED', code: 'REJECTED', message: 'The person refused to sign.' };
  if (timing.now < lastAskAt(timing)) return { kind: 'wait' };
  return { kind: 'end', status: 'EXPIRED', code: 'EXPIRED', message: 'The sign session expired and B-Trust had no signed documents.' };
}

/** When the last ask is due: the deadline plus the grace for clock skew. */
export function lastAskAt(timing: Pick<SigningTiming, 'deadline' | 'graceMs'>): number {
  return timing.deadline + timing.graceMs;
}
