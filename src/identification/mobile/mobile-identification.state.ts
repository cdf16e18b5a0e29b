import { boundTransition } from '../../common/state-machine/apply-transition';
import { StateMachine } from '../../common/state-machine/state-machine';
import { MobileIdentification } from './mobile-identification.entity';

export const MOBILE_IDENTIFICATION_STATUSES = [
  'PENDING',
  'ON_BOARDING',
  'IN_PROGRESS',
  'COMPLETED',
  'REJECTED',
  'EXPIRED',
  'FAILED',
  'OUTCOME_UNKNOWN',
] as const;
export type MobileIdentificationStatus = (typeof MOBILE_IDENTIFICATION_STATUSES)[number];

const ENDINGS = ['REJECTED', 'EXPIRED', 'FAILED'] as const;

/**
 * Scenario 1: the person confirms in B-Trust MOBILE while we poll.
 *
 * OUTCOME_UNKNOWN is not final: B-Trust may or may not have started the (paid) request, or could
 * not be asked after the deadline. An operator resolves it (FAILED, or back to PENDING with the
 * callbackId B-Trust confirms), or a refresh that reaches B-Trust ends it.
 */
export const mobileIdentificationMachine = new StateMachine<MobileIdentificationStatus>('mobile_identification', {
  PENDING: ['ON_BOARDING', 'IN_PROGRESS', 'COMPLETED', 'OUTCOME_UNKNOWN', ...ENDINGS],
  ON_BOARDING: ['IN_PROGRESS', 'COMPLETED', 'OUTCOME_UNKNOWN', ...ENDINGS],
  IN_PROGRESS: ['COMPLETED', 'OUTCOME_UNKNOWN', ...ENDINGS],
  OUTCOME_UNKNOWN: ['PENDING', 'COMPLETED', ...ENDINGS],
  COMPLETED: [],
  REJECTED: [],
  EXPIRED: [],
  FAILED: [],
});

/** Moves a mobile identification inside the caller's transaction; every move ends this instance's poll claim on it, a final one its polling. */
export const moveMobileIdentification = boundTransition<MobileIdentificationStatus, MobileIdentification>(
  MobileIdentification,
  mobileIdentificationMachine,
  (to) => (mobileIdentificationMachine.isFinal(to) ? { nextPollAt: null, pollClaimedUntil: null } : { pollClaimedUntil: null }),
);
