import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BtrustPort } from '../btrust/btrust-port';
import { BtrustError } from '../btrust/btrust.errors';
import type { BtrustLanguage } from '../btrust/btrust.types';
import { notStarted, outcomeUnknown } from '../btrust/provider-failure';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import type { FieldProblem } from '../common/problem/problem';
import { RequestError } from '../common/problem/request-error';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { WebIdentificationsService } from '../identification/web/web-identifications.service';
import { assertCanSign } from '../identification/web/web-identification-signing-gate';
import { ActiveContent, PdfInspectionError } from './pdf/pdf-inspection';
import { PdfInspector } from './pdf/pdf-inspector';
import { PdfLimitExceededError } from './pdf/pdf-limits';
import {
  activeContentRefused,
  assertWithinLimits,
  duplicateFileNameProblems,
  pdfLimitExceeded,
  visibleSignatureProblems,
} from './signing-request-rules';
import { Signing } from './signing.entity';
import { SigningError, SigningErrorCode } from './signing.errors';
import { SigningRepository, SignSessionInUse } from './signing.repository';
import type { SigningInput } from './signing.types';
import { CALLBACK_URL_GRACE_MS, SigningsService } from './signings.service';

/**
 * Scenario 3's start: PDFs are validated, stored, and put up for signing with
 * the identification's sign session (3.1).
 */
@Injectable()
export class SigningCreationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly records: SigningRepository,
    private readonly btrust: BtrustPort,
    private readonly callbackEndpoints: CallbackEndpointsService,
    private readonly identifications: WebIdentificationsService,
    private readonly pdfInspector: PdfInspector,
    private readonly signings: SigningsService,
  ) {}

  /**
   * Every rule is checked before the (paid) call to B-Trust; the signing and
   * its documents are stored before it, so a signing that reached B-Trust is
   * never lost. A 3.1 that B-Trust did not start ends the signing FAILED with
   * its reason; one it may have started (a timeout, a reset or a 5xx after it
   * was sent) is kept as OUTCOME_UNKNOWN for an operator, and never sent again.
   */
  async create(owner: string, identificationId: string, input: SigningInput, language: BtrustLanguage | undefined): Promise<Signing> {
    const identification = await this.identifications.findOwned(owner, identificationId);
    assertWithinLimits(
      input.documents.map((document) => document.content.length),
      this.config.signing,
    );
    assertCanSign(identification);
    const activeContent = await this.assertSignableDocuments(input);
    // Last, right before the paid call: a DENIED that came since the last ask is seen here.
    assertCanSign(await this.identifications.refreshBeforeSigning(identification));

    const id = randomUUID();
    const signSession = await this.insertPending(id, owner, identificationId, input, activeContent);
    const options = { language: language ?? (identification.language as BtrustLanguage) };
    let started;
    try {
      started = await this.btrust.startSignSession(
        {
          identificator: signSession.clientIdentificator,
          signSessionId: signSession.signSessionId,
          documents: input.documents,
          emailSignedDocuments: input.emailSignedDocuments,
          successUrl: input.successUrl,
          cancelUrl: input.cancelUrl,
        },
        options,
      );
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      if (error.answerClass === 'UNKNOWN_OUTCOME') {
        // Nothing B-Trust said is kept: a failed answer's text is not known to be free of personal data.
        const what = error.httpStatus === undefined ? error.code : `${error.code}, HTTP ${error.httpStatus}`;
        await this.records.move(id, 'OUTCOME_UNKNOWN', 'api', {
          failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: `B-Trust may or may not have started the signing (${what}).` },
        });
        throw outcomeUnknown(id);
      }
      await this.records.move(id, 'FAILED', 'api', { failure: { code: error.code, message: `startSignSession: ${error.providerMessage ?? error.message}` } });
      throw notStarted(error);
    }
    const expiresAt = started.expiresAt ?? signSession.expiresAt;
    await this.records.recordStarted(id, { resultId: started.resultId, clientDocumentUrl: started.clientDocumentUrl, expiresAt });
    if (expiresAt) await this.callbackEndpoints.extend(identificationId, new Date(expiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    return this.signings.findOwned(owner, id);
  }

  /** The signing and its documents, recorded PENDING if the identification can still sign and no other signing holds its sign session. */
  private async insertPending(
    id: string,
    owner: string,
    identificationId: string,
    input: SigningInput,
    activeContent: ActiveContent[][],
  ): Promise<SignSessionInUse> {
    const record = await this.records.recordPending(
      {
        id,
        owner,
        webIdentificationId: identificationId,
        emailSignedDocuments: input.emailSignedDocuments,
        successUrl: input.successUrl,
        cancelUrl: input.cancelUrl,
      },
      input.documents.map((document, index) => ({ ...document, activeContent: activeContent[index] })),
      assertCanSign,
    );
    if (record.recorded) return record.signSession;
    if (record.refusal === 'IDENTIFICATION_NOT_FOUND') throw RequestError.notFound('The web identification');
    throw signingInProgress();
  }

  /** Every document parsed (within the PDF limits) and checked; returns the active content found in each. */
  private async assertSignableDocuments(input: SigningInput): Promise<ActiveContent[][]> {
    const problems: FieldProblem[] = duplicateFileNameProblems(input.documents.map((document) => document.fileName));
    const activeContent: ActiveContent[][] = [];
    for (const [index, document] of input.documents.entries()) {
      try {
        const inspection = await this.pdfInspector.inspect(document.content);
        if (document.visibleSignature) problems.push(...visibleSignatureProblems(index, document.visibleSignature, inspection));
        activeContent.push(inspection.activeContent);
      } catch (error) {
        if (error instanceof PdfLimitExceededError) throw pdfLimitExceeded(index, error);
        if (!(error instanceof PdfInspectionError)) throw error;
        problems.push({ field: `documents.${index}.content`, codes: [error.code], messages: [`documents.${index}: ${error.message}`] });
        activeContent.push([]);
      }
    }
    if (problems.length > 0) throw RequestError.invalid(problems);
    const withActiveContent = activeContent.flatMap((found, index) => (found.length > 0 ? [{ index, activeContent: found }] : []));
    if (withActiveContent.length > 0 && this.config.signing.activeContent === 'refuse') throw activeContentRefused(withActiveContent);
    return activeContent;
  }
}

function signingInProgress(): SigningError {
  return new SigningError(
    SigningErrorCode.SIGNING_IN_PROGRESS,
    'This identification already has a signing waiting for the person, or one whose start B-Trust may have received (OUTCOME_UNKNOWN, ' +
      'until an operator resolves it). Wait for it to end (SIGNED, REJECTED, EXPIRED or FAILED): another signing may then be started ' +
      'on the same sign session while it lasts.',
  );
}
