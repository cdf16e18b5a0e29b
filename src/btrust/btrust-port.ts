import type * as Domain from './btrust.types';

type Options = Domain.BtrustCallOptions;

/**
 * The provider operations the features call, as BtrustClient performs them:
 * domain requests in, typed results out, BtrustError (with its answerClass)
 * on failure. An abstract class so that it is also the injection token:
 * features inject the port, the B-Trust module provides the real client
 * under it, and the service tests an in-process fake
 * (test/support/fake-btrust-client.ts).
 */
export abstract class BtrustPort {
  /** Scenario 1.1: starts a paid B-Trust MOBILE identification. */
  abstract identification(request: Domain.MobileIdentificationRequest, options?: Options): Promise<Domain.MobileIdentificationAccepted>;
  /** Scenario 1.2: one poll of a mobile identification. */
  abstract getIdentificationResult(callbackId: string, options?: Options): Promise<Domain.MobileIdentificationResult>;
  /** Scenario 2.1. */
  abstract startWebIdentification(request: Domain.WebIdentificationStartRequest, options?: Options): Promise<Domain.WebIdentificationStarted>;
  /** Scenario 2.2. */
  abstract createRegistration(webSessionId: string, request: Domain.RegistrationRequest, options?: Options): Promise<Domain.Registration>;
  /** Scenario 2.5. */
  abstract getWebIdentificationResult(query: Domain.WebIdentificationResultQuery, options?: Options): Promise<Domain.WebIdentificationResult>;
  /** Scenario 3.3. */
  abstract getSignedDocuments(query: Domain.SignedDocumentsQuery, options?: Options): Promise<Domain.SignedDocuments>;
  /** Scenario 3.1: a paid start of a signing. */
  abstract startSignSession(request: Domain.SignSessionRequest, options?: Options): Promise<Domain.SignSessionStarted>;
  /** Scenario 4. */
  abstract getRegistrationStatus(registrationId: string, options?: Options): Promise<Domain.RegistrationStatus>;
  /** Scenario 5. */
  abstract getWebIdentificationStatus(resultId: string, options?: Options): Promise<Domain.WebIdentificationStatus>;
}
