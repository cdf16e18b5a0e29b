import { boundTransition } from '../../common/state-machine/apply-transition';
import { StateMachine } from '../../common/state-machine/state-machine';
import { WebIdentification } from './web-identification.entity';

export const WEB_IDENTIFICATION_STATUSES = [
  'STARTED',
  'UNDER_REVIEW',
  'IDENTIFIED',
  'DENIED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
  'FAILED',
] as const;
export type WebIdentificationStatus = (typeof WEB_IDENTIFICATION_STATUSES)[number];

/** What each state means to the frontend (README and Swagger say the same). */
export const WEB_IDENTIFICATION_STATUS_MEANINGS: Readonly<Record<WebIdentificationStatus, string>> = {
  STARTED: 'The person is going through the video identification at B-Trust; bounded by the web session\'s expiry.',
  UNDER_REVIEW: 'All data is gathered and an agent at B-Trust is reviewing it; the web session\'s expiry does not end it.',
  IDENTIFIED: 'Approved, with the eID certificate and a sign session: documents can be signed. An agent may still deny it (DENIED).',
  DENIED: 'Final. An agent denied the identification after its approval: no new signings.',
  CANCELLED: 'Final. The person gave up.',
  REJECTED: 'Final. The checks or an agent refused the identification before approving it.',
  EXPIRED: 'Final. B-Trust reported it expired, or the person did not finish by the deadline and one last ask confirmed it.',
  FAILED: 'Final. B-Trust reported a failure step (kept in `failure.code` and `provider.step`), or the request never started.',
};

/** Waiting for the person or the agent: reconciled until they end (see the partial index web_identifications_open). */
export const OPEN_WEB_IDENTIFICATION_STATUSES = ['STARTED', 'UNDER_REVIEW'] as const;

const ENDINGS = ['CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;

/**
 * Scenarios 2, 4, 5: video identification at B-Trust, confirmed by webhook or reconciliation.
 * IDENTIFIED rests: the flow has its result, but an agent's DENIED after an automatic approval
 * (ALLOW_DENY) still moves it, to the final DENIED.
 */
export const webIdentificationMachine = new StateMachine<WebIdentificationStatus>(
  'web_identification',
  {
    STARTED: ['UNDER_REVIEW', 'IDENTIFIED', ...ENDINGS],
    UNDER_REVIEW: ['IDENTIFIED', ...ENDINGS],
    IDENTIFIED: ['DENIED'],
    DENIED: [],
    CANCELLED: [],
    REJECTED: [],
    EXPIRED: [],
    FAILED: [],
  },
  { resting: ['IDENTIFIED'] },
);

/** Moves a web identification inside the caller's transaction. */
export const moveWebIdentification = boundTransition<WebIdentificationStatus, WebIdentification>(WebIdentification, webIdentificationMachine);
