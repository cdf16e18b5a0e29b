import { Init1795815169926 } from '../../migrations/1795815169926-Init';
import { Signing1795816778537 } from '../../migrations/1795816778537-Signing';
import { PersonalDataEncryption1795817356233 } from '../../migrations/1795817356233-PersonalDataEncryption';
import { OperatorActions1795817390968 } from '../../migrations/1795817390968-OperatorActions';
import { MobilePollClaims1795824269541 } from '../../migrations/1795824269541-MobilePollClaims';
import { MobileOutcomeUnknown1796199580742 } from '../../migrations/1796199580742-MobileOutcomeUnknown';
import { WebReview1796200000000 } from '../../migrations/1796200000000-WebReview';
import { SigningOutcomeUnknown1796300000000 } from '../../migrations/1796300000000-SigningOutcomeUnknown';
import { CallbackIdsRecorded1796402871519 } from '../../migrations/1796402871519-CallbackIdsRecorded';
import { SigningActiveContent1796403600000 } from '../../migrations/1796403600000-SigningActiveContent';
import { IdempotencyLeases1796410000000 } from '../../migrations/1796410000000-IdempotencyLeases';
import { SignerNameEncryption1796410000001 } from '../../migrations/1796410000001-SignerNameEncryption';

/** Every migration in `migrations/`, in order. A new migration is added here when generated. */
export const MIGRATIONS: Function[] = [
  Init1795815169926,
  Signing1795816778537,
  PersonalDataEncryption1795817356233,
  OperatorActions1795817390968,
  MobilePollClaims1795824269541,
  MobileOutcomeUnknown1796199580742,
  WebReview1796200000000,
  SigningOutcomeUnknown1796300000000,
  CallbackIdsRecorded1796402871519,
  SigningActiveContent1796403600000,
  IdempotencyLeases1796410000000,
  SignerNameEncryption1796410000001,
];
