import { StateMachine } from '../common/state-machine/state-machine';

export const SIGNING_STATUSES = ['PENDING', 'SIGNED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type SigningStatus = (typeof SIGNING_STATUSES)[number];

/**
 * Scenario 3: documents put up for signing, confirmed by webhook or reconciliation.
 * SIGNED is final: whether a failed verification makes a signing FAILED is decided
 * before it leaves PENDING (SIGNING_REJECT_INVALID), never afterwards.
 */
export const signingMachine = new StateMachine<SigningStatus>('signing', {
  PENDING: ['SIGNED', 'REJECTED', 'EXPIRED', 'FAILED'],
  SIGNED: [],
  REJECTED: [],
  EXPIRED: [],
  FAILED: [],
});
