import type { AnswerClass } from '../../btrust/btrust-reading-policy';
import type { MobileIdentificationStatus } from './mobile-identification.state';

/** What one poll of 1.2 brought back, as the reading policy classified it. */
export type PollAnswer =
  | { kind: 'pending' }
  | { kind: 'finished'; hasCertificate: boolean }
  | { kind: 'failed'; answerClass: AnswerClass; reason: string };

export interface PollTiming {
  now: number;
  /** B-Trust's validity, or creation + MOBILE_DEFAULT_VALIDITY_MS. */
  deadline: number;
  /** BTRUST_DEADLINE_GRACE_MS. */
  graceMs: number;
}

export type PollDecision =
  | { kind: 'complete' }
  | { kind: 'ask-again' }
  /** A finished answer without the eID certificate: ask again, this many misses so far. */
  | { kind: 'certificate-missing'; misses: number }
  | {
      kind: 'end';
      status: Extract<MobileIdentificationStatus, 'REJECTED' | 'EXPIRED' | 'FAILED' | 'OUTCOME_UNKNOWN'>;
      code: string;
      message: string;
      /** Set when it ends for want of the certificate. */
      misses?: number;
    };

/** When the last ask is due: the deadline plus the grace for clock skew. */
export function lastAskAt(timing: Pick<PollTiming, 'deadline' | 'graceMs'>): number {
  return timing.deadline + timing.graceMs;
}

/**
 * What a mobile identification does on one answer of 1.2 (design: every open record has a
 * bound, and only evidence ends it).
 *
 * Before the deadline only a DEFINITIVE answer (400 REJECTED) ends it, as REJECTED; NOT_YET and
 * TRANSIENT ask again, CONFIGURATION_FAULT too (counted and surfaced by the client). Once the
 * deadline has passed a DEFINITIVE answer means it expired. At the last ask (deadline + grace)
 * a pending, DEFINITIVE or NOT_YET answer ends it EXPIRED: B-Trust was reachable and has no
 * result past its own deadline; an answer we could not get (TRANSIENT, CONFIGURATION_FAULT)
 * leaves the outcome unknown. A finished answer without the certificate is asked again until
 * EID_CERTIFICATE_FETCH_ATTEMPTS such answers, deadline or not: B-Trust keeps a finished result.
 */
export function decidePoll(answer: PollAnswer, timing: PollTiming, certificate: { misses: number; attempts: number }): PollDecision {
  const isLastAsk = timing.now >= lastAskAt(timing);
  const pastDeadline = timing.now >= timing.deadline;
  switch (answer.kind) {
    case 'finished': {
      if (answer.hasCertificate) return { kind: 'complete' };
      const misses = certificate.misses + 1;
      if (misses >= certificate.attempts) {
        return {
          kind: 'end',
          status: 'FAILED',
          code: 'EID_CERTIFICATE_MISSING',
          message: `B-Trust reported the identification finished but sent no eID certificate in ${misses} answers.`,
          misses,
        };
      }
      return { kind: 'certificate-missing', misses };
    }
    case 'pending':
      return isLastAsk ? expired('B-Trust still reported it in progress after its deadline.') : { kind: 'ask-again' };
    case 'failed':
      switch (answer.answerClass) {
        case 'DEFINITIVE':
          // Reading: B-Trust answers a refused and an expired identification alike (400 REJECTED).
          return pastDeadline
            ? expired('The person did not confirm in time.')
            : { kind: 'end', status: 'REJECTED', code: 'REJECTED', message: answer.reason };
        case 'NOT_YET':
          return isLastAsk ? expired('B-Trust has no result for it after its deadline.') : { kind: 'ask-again' };
        default:
          return isLastAsk
            ? {
                kind: 'end',
                status: 'OUTCOME_UNKNOWN',
                code: 'PROVIDER_OUTCOME_UNKNOWN',
                message: `B-Trust could not be asked once the deadline had passed (${answer.reason}); refresh it to ask again.`,
              }
            : { kind: 'ask-again' };
      }
  }
}

function expired(message: string): PollDecision {
  return { kind: 'end', status: 'EXPIRED', code: 'EXPIRED', message };
}
