import { boundTransition } from '../common/state-machine/apply-transition';
import { StateMachine } from '../common/state-machine/state-machine';
import { Signing } from './signing.entity';

export const SIGNING_STATUSES = ['PENDING', 'SIGNED', 'REJECTED', 'EXPIRED', 'FAILED', 'OUTCOME_UNKNOWN'] as const;
export type SigningStatus = (typeof SIGNING_STATUSES)[number];

const ENDINGS = ['SIGNED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;

/**
 * Scenario 3: documents put up for signing, confirmed by webhook or reconciliation.
 * SIGNED is final: whether a failed verification makes a signing FAILED is decided
 * before it leaves PENDING (SIGNING_REJECT_INVALID), never afterwards.
 *
 * OUTCOME_UNKNOWN is not final: B-Trust may or may not have started the (paid) 3.1. An
 * operator resolves it (FAILED, or back to PENDING with the resultId B-Trust confirms), and
 * signed documents that B-Trust hands over for it still make it SIGNED.
 */
export const signingMachine = new StateMachine<SigningStatus>('signing', {
  PENDING: ['OUTCOME_UNKNOWN', ...ENDINGS],
  OUTCOME_UNKNOWN: ['PENDING', ...ENDINGS],
  SIGNED: [],
  REJECTED: [],
  EXPIRED: [],
  FAILED: [],
});

/** Moves a signing inside the caller's transaction. */
export const moveSigning = boundTransition<SigningStatus, Signing>(Signing, signingMachine);
