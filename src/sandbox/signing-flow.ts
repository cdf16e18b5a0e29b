import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { SignSessionStartRequest } from './api-request-validation';
import { CallbackDispatcher } from './callback-dispatcher';
import { DocumentServices, Signatory } from './document-services';
import { FaultInjector } from './fault-injector';
import {
  ProviderRecords,
  SignedDocument,
  Signing,
  UnknownRecordError,
  WebIdentification,
  moveSigning,
} from './provider-records';
import { badRequest, notReadyYet, rejected, unknownId } from './provider-refusal';
import { SandboxLogger } from './sandbox-logger';
import { ReadingsBoard, SandboxReadings } from './sandbox-readings';

const SIGNING_PROCESS_STATE = 'SIGN_SESSION';

export class WrongSmsCodeError extends Error {}

/** Scenario 3: signing PDFs with a one-time certificate after a web identification. */
export class SigningFlow {
  constructor(
    private readonly records: ProviderRecords,
    private readonly documents: DocumentServices,
    private readonly callbacks: CallbackDispatcher,
    private readonly faults: FaultInjector,
    private readonly readings: ReadingsBoard,
    private readonly logger: SandboxLogger,
  ) {}

  /**
   * 3.1. The sign session must be the current one of an identification of
   * that identificator, unexpired and not busy with another signing.
   * Reading: the signing page is valid as long as the sign session (the
   * document's example gives both the same date); a rejected or expired
   * signing leaves the sign session usable, since no new one is handed back.
   * The refusals and the archive flag follow the identification's readings
   * (the sandbox-wide ones when the sign session is unknown).
   */
  async start(request: SignSessionStartRequest, now: Date): Promise<Signing> {
    const web = [...this.records.webBySessionId.values()].find((candidate) => candidate.signSession?.id === request.signSessionId);
    const readings = web?.readings ?? this.readings.get();
    assertArchiveFlagAccepted(request.archiveFlagNames, readings);
    const signSession = web?.signSession;
    if (!web || !signSession || web.clientIdentificator !== request.identificator) {
      throw rejected('sign session unknown or not of this identificator', readings);
    }
    if (web.state !== 'IDENTIFIED') throw rejected(`web identification is ${web.state}`, readings);
    if (now >= signSession.expiresAt) throw rejected('sign session expired', readings);
    const busyWith = signSession.pendingSigningResultId === undefined ? undefined : this.records.signingByResultId.get(signSession.pendingSigningResultId);
    if (busyWith) this.expireIfDue(busyWith, now);
    if (signSession.pendingSigningResultId !== undefined) throw rejected('sign session is in use by another signing', readings);
    for (const [index, document] of request.documents.entries()) {
      await this.documents.assertSignable(document).catch(() => {
        throw badRequest(`documentsForSign[${index}] is not a signable PDF or its signature page does not exist`);
      });
    }
    const signing: Signing = {
      resultId: this.records.nextResultId(),
      webSessionId: web.webSessionId,
      signSessionId: signSession.id,
      createdAt: now,
      expireDate: signSession.expiresAt,
      pageToken: randomBytes(32).toString('hex'),
      smsCode: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      documents: request.documents,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      state: 'PENDING',
      readings: this.readings.get(),
    };
    this.records.addSigning(signing);
    signSession.pendingSigningResultId = signing.resultId;
    this.records.saveWeb(web);
    this.logger.info({ resultId: signing.resultId, documents: signing.documents.length }, 'sandbox signing started');
    return signing;
  }

  /**
   * 3.3. The documents come back with the identification's current sign
   * session, which the signing replaced. Reading: until the person has
   * signed the answer is the `notYetAnswer` (404 NOT_FOUND by default); a
   * rejected or expired signing is REJECTED. Reading: 3.3's `filename` is
   * "Signature file name", nothing says it is the name sent;
   * `signedFileNames` renames the documents, or reverses their order too.
   */
  async signedDocuments(
    resultId: number,
    processState: string,
    sessionId: string,
    now: Date,
  ): Promise<{ web: WebIdentification; signing: Signing; documents: SignedDocument[] }> {
    if (processState !== SIGNING_PROCESS_STATE) throw badRequest('processState is not SIGN_SESSION');
    const signing = this.records.signingByResultId.get(resultId);
    if (!signing || signing.signSessionId !== sessionId) throw unknownId('unknown resultId or sessionId');
    this.expireIfDue(signing, now);
    if (signing.state === 'REJECTED' || signing.state === 'EXPIRED') throw rejected(`signing is ${signing.state}`, signing.readings);
    if (signing.state !== 'SIGNED' || !signing.signedDocuments) throw notReadyYet('signing not finished', signing.readings);
    const web = this.webOf(signing);
    const tamper = this.faults.takeTamperFault();
    if (!tamper) return { web, signing, documents: namedAsRead(signing, signing.signedDocuments) };
    if (tamper === 'extra-document') {
      const extra = await this.documents.tamper(tamper, signatoryOf(web), signing.documents[0], signing.signedDocuments[0].content);
      this.logger.info({ resultId }, 'sandbox signing result carries a document never sent, on purpose');
      return { web, signing, documents: namedAsRead(signing, [...signing.signedDocuments, { filename: 'receipt.pdf', content: extra }]) };
    }
    const documents: SignedDocument[] = [];
    for (const [index, signed] of signing.signedDocuments.entries()) {
      const content = await this.documents.tamper(tamper, signatoryOf(web), signing.documents[index], signed.content);
      documents.push({ filename: signed.filename, content });
    }
    this.logger.info({ resultId, kind: tamper }, 'sandbox signing result tampered on purpose');
    return { web, signing, documents: namedAsRead(signing, documents) };
  }

  setReadings(resultId: number, readings: Partial<SandboxReadings>): Signing {
    const signing = this.records.signingByResultId.get(resultId);
    if (!signing) throw new UnknownRecordError('signing');
    signing.readings = { ...signing.readings, ...readings };
    this.records.saveSigning(signing);
    return signing;
  }

  byPageToken(token: string, now: Date): Signing {
    const signing = this.records.signingByPageToken.get(token);
    if (!signing) throw new UnknownRecordError('signing');
    this.expireIfDue(signing, now);
    return signing;
  }

  byResultId(resultId: number, now: Date): Signing | undefined {
    const signing = this.records.signingByResultId.get(resultId);
    if (signing) this.expireIfDue(signing, now);
    return signing;
  }

  find(resultId: number, now: Date): Signing {
    const signing = this.byResultId(resultId, now);
    if (!signing) throw new UnknownRecordError('signing');
    return signing;
  }

  async signWithSmsCode(signing: Signing, smsCode: string, now: Date): Promise<Signing> {
    if (signing.state === 'PENDING' && smsCode.trim() !== signing.smsCode) throw new WrongSmsCodeError('The SMS code is wrong.');
    return this.sign(signing, now);
  }

  /**
   * Issues a one-time certificate per document, signs, consumes the sign
   * session and hands out a new one. Reading: the new sign session keeps the
   * expiry of the one it replaces ("one web identification can sign many
   * times until its sign session expires").
   */
  async sign(signing: Signing, now: Date): Promise<Signing> {
    this.expireIfDue(signing, now);
    const web = this.webOf(signing);
    moveSigning(signing, 'SIGNING');
    let signed: SignedDocument[];
    try {
      signed = await this.documents.signWithOneTimeCertificates(signatoryOf(web), signing.documents, now);
    } catch (error) {
      moveSigning(signing, 'PENDING');
      throw error;
    }
    signing.signedDocuments = signed;
    moveSigning(signing, 'SIGNED');
    const used = web.signSession;
    if (used && used.id === signing.signSessionId) {
      used.consumed = true;
      web.signSession = { id: randomUUID(), expiresAt: used.expiresAt, consumed: false };
    }
    this.records.saveSigning(signing);
    this.records.saveWeb(web);
    this.logger.info({ resultId: signing.resultId }, 'sandbox signing signed');
    this.notify(web, signing, 'completed successfully', { ok: true });
    return signing;
  }

  /** Reading: the document describes no failure callback for signing; see WebIdentificationFlow.reject. */
  reject(signing: Signing, now: Date): Signing {
    this.expireIfDue(signing, now);
    moveSigning(signing, 'REJECTED');
    this.release(signing);
    this.records.saveSigning(signing);
    this.logger.info({ resultId: signing.resultId }, 'sandbox signing rejected');
    this.notify(this.webOf(signing), signing, 'was rejected by the user', { ok: false });
    return signing;
  }

  expire(signing: Signing): Signing {
    moveSigning(signing, 'EXPIRED');
    this.release(signing);
    this.records.saveSigning(signing);
    return signing;
  }

  /**
   * The webhook the signing's state implies, sent now (control action
   * `callbacks/send`); `processState` and `code` may be forced.
   */
  sendWebhook(signing: Signing, overrides: { processState?: string; code?: string }): ReturnType<CallbackDispatcher['notify']> {
    const implied =
      signing.state === 'SIGNED'
        ? { outcome: 'completed successfully', ok: true }
        : signing.state === 'PENDING' || signing.state === 'SIGNING'
          ? { outcome: 'changed its status', ok: true }
          : { outcome: 'was rejected by the user', ok: false };
    return this.notify(this.webOf(signing), signing, implied.outcome, { ok: implied.ok, code: overrides.code }, overrides.processState);
  }

  private expireIfDue(signing: Signing, now: Date): void {
    if (signing.state === 'PENDING' && now >= signing.expireDate) this.expire(signing);
  }

  private release(signing: Signing): void {
    const web = this.records.webBySessionId.get(signing.webSessionId);
    if (web?.signSession?.pendingSigningResultId !== signing.resultId) return;
    web.signSession.pendingSigningResultId = undefined;
    this.records.saveWeb(web);
  }

  private webOf(signing: Signing): WebIdentification {
    const web = this.records.webBySessionId.get(signing.webSessionId);
    if (!web?.person) throw new UnknownRecordError('web identification of the signing');
    return web;
  }

  /**
   * Reading: in the document the 3.1 example sends sign session 43c1cd77…
   * while the 3.2 webhook carries 491d8265…, the one 2.5 and 3.3 hand out;
   * `signingWebhookSessionId=next-sign-session` sends the identification's
   * current sign session (after a signature, the one 3.3 hands back).
   */
  private notify(
    web: WebIdentification,
    signing: Signing,
    outcome: string,
    result: { ok: boolean; code?: string },
    processState = SIGNING_PROCESS_STATE,
  ): ReturnType<CallbackDispatcher['notify']> {
    const sessionId =
      signing.readings.signingWebhookSessionId === 'next-sign-session' && web.signSession ? web.signSession.id : signing.signSessionId;
    return this.callbacks.notifyOutcome(
      web.requestCallbackUrl,
      { processState, sessionId, resultId: signing.resultId },
      outcome,
      result,
      signing.readings,
    );
  }
}

/**
 * Reading: the document spells the archive flag `toBeArhieved`, B-Trust's
 * sister API `toBeArchived`. `archiveFlag=any` accepts both; otherwise the
 * other spelling is a field this API does not know: 400 BAD_REQUEST.
 */
function assertArchiveFlagAccepted(namesSent: readonly string[], readings: Pick<SandboxReadings, 'archiveFlag'>): void {
  if (readings.archiveFlag === 'any') return;
  const refused = namesSent.find((name) => name !== readings.archiveFlag);
  if (refused) throw badRequest(`documentsForSign[].${refused} is not a field of this API`);
}

function namedAsRead(signing: Signing, documents: SignedDocument[]): SignedDocument[] {
  const renamed = (document: SignedDocument, index: number): SignedDocument => ({
    filename: `signed-${signing.resultId}-${index + 1}.pdf`,
    content: document.content,
  });
  switch (signing.readings.signedFileNames) {
    case 'same':
      return documents;
    case 'renamed':
      return documents.map(renamed);
    case 'reversed':
      return documents.map(renamed).reverse();
  }
}

function signatoryOf(web: WebIdentification): Signatory {
  const person = web.person;
  if (!person) throw new UnknownRecordError('identified person');
  return { fullName: person.fullName, identifierType: 'EGN', identifierValue: person.egn };
}
