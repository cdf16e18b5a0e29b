import { StateMachine } from '../../common/state-machine/state-machine';

export const WEB_IDENTIFICATION_STATUSES = ['STARTED', 'IDENTIFIED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type WebIdentificationStatus = (typeof WEB_IDENTIFICATION_STATUSES)[number];

/** Scenarios 2, 4, 5: video identification at B-Trust, confirmed by webhook or reconciliation. */
export const webIdentificationMachine = new StateMachine<WebIdentificationStatus>('web_identification', {
  STARTED: ['IDENTIFIED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'],
  IDENTIFIED: [],
  CANCELLED: [],
  REJECTED: [],
  EXPIRED: [],
  FAILED: [],
});
