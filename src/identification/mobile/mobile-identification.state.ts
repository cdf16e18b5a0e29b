import { StateMachine } from '../../common/state-machine/state-machine';

export const MOBILE_IDENTIFICATION_STATUSES = [
  'PENDING',
  'ON_BOARDING',
  'IN_PROGRESS',
  'COMPLETED',
  'REJECTED',
  'EXPIRED',
  'FAILED',
] as const;
export type MobileIdentificationStatus = (typeof MOBILE_IDENTIFICATION_STATUSES)[number];

const ENDINGS = ['REJECTED', 'EXPIRED', 'FAILED'] as const;

/** Scenario 1: the person confirms in B-Trust MOBILE while we poll. */
export const mobileIdentificationMachine = new StateMachine<MobileIdentificationStatus>('mobile_identification', {
  PENDING: ['ON_BOARDING', 'IN_PROGRESS', 'COMPLETED', ...ENDINGS],
  ON_BOARDING: ['IN_PROGRESS', 'COMPLETED', ...ENDINGS],
  IN_PROGRESS: ['COMPLETED', ...ENDINGS],
  COMPLETED: [],
  REJECTED: [],
  EXPIRED: [],
  FAILED: [],
});
