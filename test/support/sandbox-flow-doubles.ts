import { CallbackDispatcher, type CallbackBody, type CallbackOutcome } from '../../src/sandbox/callback-dispatcher';
import type { DocumentServices } from '../../src/sandbox/document-services';
import type { DocumentToSign, SignedDocument } from '../../src/sandbox/provider-records';

/**
 * Stand-ins for the flows' collaborators at the process boundary (PDF work
 * and HTTP delivery), so the flows' specs check the readings quickly. Used
 * by specs only.
 */
export class RecordedCallbacks {
  readonly sent: Array<{ url: string; data: CallbackBody['data']; outcome: CallbackOutcome }> = [];

  notify(url: string, data: CallbackBody['data'], outcome: CallbackOutcome): CallbackBody {
    this.sent.push({ url, data, outcome });
    return { code: outcome.code ?? (outcome.ok ? 'OK' : 'REJECTED'), message: '', requestId: this.sent.length, relyingPartyId: 1, data };
  }

  /** The dispatcher's own, so that only the delivery is stood in for. */
  notifyOutcome(...args: Parameters<CallbackDispatcher['notifyOutcome']>): CallbackBody {
    return CallbackDispatcher.prototype.notifyOutcome.apply(this.asDispatcher(), args);
  }

  asDispatcher(): CallbackDispatcher {
    return this as unknown as CallbackDispatcher;
  }
}

/** "Signs" by appending a marker, so a signed document still starts with its original's bytes. */
export const instantDocuments = {
  issueEidCertificate: async () => Buffer.from('%PDF-1.7 eID certificate'),
  assertSignable: async () => undefined,
  signWithOneTimeCertificates: async (_signatory: unknown, documents: DocumentToSign[]): Promise<SignedDocument[]> =>
    documents.map((document) => ({ filename: document.fileName, content: Buffer.concat([document.content, Buffer.from('%signed')]) })),
} as unknown as DocumentServices;
