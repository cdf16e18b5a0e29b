/**
 * B-Trust's values as it sends them, for the Swagger examples and descriptions of the fields that
 * keep them as given (operators read them; features never act on them). Kept here so that the
 * provider's words stay in this folder.
 */

/** Examples of the provider's values that our views pass on unchanged. */
export const BTRUST_VALUE_EXAMPLES = {
  /** Scenario 1.2's `status`. */
  mobileStatus: 'IN_PROGRESS',
  /** Scenario 5's `status`. */
  webStatus: 'CREATE_SIGN_SESSION_REQUEST',
  /** Scenario 5's `step`. */
  webStep: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED',
  /** Scenario 4's `status`. */
  registrationStatus: 'FINALIZED',
  /** Scenario 4's `reviewStatus`. */
  reviewStatus: 'ALLOW_DENY',
} as const;

/** Descriptions that list the provider's values, for the same fields. */
export const BTRUST_VALUE_DESCRIPTIONS = {
  webStep: 'B-Trust web identification step (scenario 5); a failure step such as WEB_IDV_REGISTRATION_FAILED is kept here.',
  registrationStatus: 'STARTED, COMPLETED, FINALIZED, REJECTED or EXPIRED (B-Trust may add values).',
  reviewStatus: 'N_A, FINALIZE_REJECT, ALLOW_DENY, ALLOWED or DENIED.',
} as const;

/** A webhook body as the document shows it (2.4), for the callback endpoint's Swagger example. */
export const BTRUST_CALLBACK_EXAMPLE = {
  code: 'OK',
  message: 'The request has been executed successfully.',
  requestId: 315,
  relyingPartyId: 24102167,
  data: {
    processState: 'CREATE_SIGN_SESSION_REQUEST',
    sessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
    resultId: '95',
    dataMessage: 'The request with resultID 95 completed successfully',
  },
} as const;
