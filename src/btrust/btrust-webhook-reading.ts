/**
 * What a webhook (2.4, 3.2) says, in our words, so that features never
 * compare its `processState` or `code` themselves. Pure: no I/O.
 *
 * Reading: the document shows two processStates, CREATE_SIGN_SESSION_REQUEST
 * (an identification's result is ready, 2.4) and SIGN_SESSION (a signing's
 * documents are ready, 3.2), and says webhooks fire "for identification status
 * change", so other processStates may come. Those are read as a change of the
 * identification: the flow then asks B-Trust where it stands. Which flow a
 * webhook concerns is only the first guess: the webhook is tied to its flow by
 * its callback URL and its resultId, so a flow that does not know the resultId
 * hands it on to the other.
 */

export type WebhookConcern =
  /** A web identification (2.4, and any processState the document does not name). */
  | 'IDENTIFICATION'
  /** A signing after web identification (3.2). */
  | 'SIGNING';

export interface WebhookReading {
  concerns: WebhookConcern;
  /**
   * The processState names a result that can be fetched with it (2.5 for an
   * identification, 3.3 for a signing); otherwise the flow asks for its status.
   */
  resultAnnounced: boolean;
  /** The webhook's `code` was REJECTED: a hint to look, never a refusal in itself. */
  refusalHinted: boolean;
}

/** The processState of an identification's result (2.4, and the result path of 2.5). */
export const IDENTIFICATION_RESULT_STATE = 'CREATE_SIGN_SESSION_REQUEST';
/** The processState of a signing's documents (3.2, and the result path of 3.3). */
export const SIGNING_RESULT_STATE = 'SIGN_SESSION';
const REFUSAL_CODE = 'REJECTED';

export function readWebhook(webhook: { processState: string; providerCode: string | null }): WebhookReading {
  const refusalHinted = webhook.providerCode === REFUSAL_CODE;
  if (webhook.processState === SIGNING_RESULT_STATE) {
    return { concerns: 'SIGNING', resultAnnounced: true, refusalHinted };
  }
  return { concerns: 'IDENTIFICATION', resultAnnounced: webhook.processState === IDENTIFICATION_RESULT_STATE && !refusalHinted, refusalHinted };
}
