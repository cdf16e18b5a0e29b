import { OperatorAction } from '../admin/operator-action.entity';
import { CallbackEndpoint } from '../callbacks/callback-endpoint.entity';
import { CallbackInboxEntry } from '../callbacks/callback-inbox.entity';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity';
import { RateWindow } from '../common/rate-limit/rate-window.entity';
import { StateTransition } from '../common/state-machine/state-transition.entity';
import { MobileIdentification } from '../identification/mobile/mobile-identification.entity';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { SigningDocument } from '../signing/signing-document.entity';
import { SigningUnmatchedDocument } from '../signing/signing-unmatched-document.entity';
import { Signing } from '../signing/signing.entity';

/** Every TypeORM entity of the server, registered by reference. */
export const ENTITIES: Function[] = [
  StateTransition,
  IdempotencyKey,
  RateWindow,
  CallbackEndpoint,
  CallbackInboxEntry,
  MobileIdentification,
  WebIdentification,
  Signing,
  SigningDocument,
  SigningUnmatchedDocument,
  OperatorAction,
];
