import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProviderErrorCode } from '../btrust/provider-failure';
import { ApiProblemResponses, UPSTREAM_PROBLEMS } from '../common/http/api-problem-responses.decorator';
import { pdfDownload } from '../common/http/pdf-download';
import { HttpErrorCode } from '../common/problem/http-error';
import { RequestErrorCode } from '../common/problem/request-error';
import { MobileIdentificationErrorCode } from '../identification/mobile/mobile-identification.errors';
import { SigningErrorCode } from '../signing/signing.errors';
import { AdminErrorCode } from './admin.errors';
import { AdminRecord, AdminRecordKind, AdminRecordsService, MOBILE_IDENTIFICATIONS, SIGNINGS, WEB_IDENTIFICATIONS } from './admin-records.service';
import { MobileIdentificationListQuery, SigningListQuery, WebIdentificationListQuery } from './dto/admin-list-query.dto';
import { ResolveMobileIdentificationDto, ResolveSigningDto } from './dto/resolve-outcome.dto';
import {
  AuditTrailView,
  MobileIdentificationAdminPage,
  MobileIdentificationAdminView,
  SigningAdminPage,
  SigningAdminView,
  toMobileIdentificationAdminView,
  toSigningAdminView,
  toTransitionView,
  toUnmatchedDocumentView,
  toWebIdentificationAdminView,
  UnmatchedDocumentsView,
  WebIdentificationAdminPage,
  WebIdentificationAdminView,
} from './dto/admin.views';
import type { OperatorActionContext } from './operator-action-log';
import { OperatorContext } from './operator-context.decorator';

const LIST_PROBLEMS = [RequestErrorCode.VALIDATION_FAILED, AdminErrorCode.INVALID_CURSOR];
const AUDIT_TRAIL_PROBLEMS = [HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND];
const REFRESH_PROBLEMS = [HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, ...UPSTREAM_PROBLEMS];
const RESOLVE_PROBLEMS = [
  RequestErrorCode.VALIDATION_FAILED,
  HttpErrorCode.BAD_REQUEST,
  HttpErrorCode.MALFORMED_JSON,
  RequestErrorCode.NOT_FOUND,
  ProviderErrorCode.NOT_OUTCOME_UNKNOWN,
  HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
];

/**
 * The operator API: every identification and signing of every owner, their
 * audit trails, and a refresh from B-Trust. The global bearer-token guard
 * admits only tokens with the operator role here (by the /api/v1/admin
 * path); every call is recorded in `operator_actions`.
 */
@ApiTags('operators')
@Controller('api/v1/admin')
export class AdminController {
  constructor(private readonly records: AdminRecordsService) {}

  @Get('mobile-identifications')
  @ApiOperation({ summary: 'List mobile identifications (all owners), newest first' })
  @ApiOkResponse({ type: MobileIdentificationAdminPage, description: 'One page; `nextCursor` asks for the next.' })
  @ApiProblemResponses(LIST_PROBLEMS)
  async listMobileIdentifications(
    @OperatorContext() operator: OperatorActionContext,
    @Query() query: MobileIdentificationListQuery,
  ): Promise<MobileIdentificationAdminPage> {
    const page = await this.records.list(operator, MOBILE_IDENTIFICATIONS, query);
    return { items: page.items.map(toMobileIdentificationAdminView), nextCursor: page.nextCursor };
  }

  @Get('web-identifications')
  @ApiOperation({ summary: 'List web identifications (all owners), newest first' })
  @ApiOkResponse({ type: WebIdentificationAdminPage, description: 'One page; `nextCursor` asks for the next.' })
  @ApiProblemResponses(LIST_PROBLEMS)
  async listWebIdentifications(
    @OperatorContext() operator: OperatorActionContext,
    @Query() query: WebIdentificationListQuery,
  ): Promise<WebIdentificationAdminPage> {
    const page = await this.records.list(operator, WEB_IDENTIFICATIONS, query);
    return { items: page.items.map(toWebIdentificationAdminView), nextCursor: page.nextCursor };
  }

  @Get('signings')
  @ApiOperation({ summary: 'List signings (all owners), newest first' })
  @ApiOkResponse({ type: SigningAdminPage, description: 'One page; `nextCursor` asks for the next.' })
  @ApiProblemResponses(LIST_PROBLEMS)
  async listSignings(@OperatorContext() operator: OperatorActionContext, @Query() query: SigningListQuery): Promise<SigningAdminPage> {
    const page = await this.records.list(operator, SIGNINGS, query);
    return { items: page.items.map(toSigningAdminView), nextCursor: page.nextCursor };
  }

  @Get('mobile-identifications/:id/audit-trail')
  @ApiOperation({ summary: 'Every status change of a mobile identification' })
  @ApiOkResponse({ type: AuditTrailView, description: 'The status changes, oldest first.' })
  @ApiProblemResponses(AUDIT_TRAIL_PROBLEMS)
  mobileIdentificationAuditTrail(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AuditTrailView> {
    return this.auditTrail(operator, MOBILE_IDENTIFICATIONS, id);
  }

  @Get('web-identifications/:id/audit-trail')
  @ApiOperation({ summary: 'Every status change of a web identification' })
  @ApiOkResponse({ type: AuditTrailView, description: 'The status changes, oldest first.' })
  @ApiProblemResponses(AUDIT_TRAIL_PROBLEMS)
  webIdentificationAuditTrail(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AuditTrailView> {
    return this.auditTrail(operator, WEB_IDENTIFICATIONS, id);
  }

  @Get('signings/:id/audit-trail')
  @ApiOperation({ summary: 'Every status change of a signing' })
  @ApiOkResponse({ type: AuditTrailView, description: 'The status changes, oldest first.' })
  @ApiProblemResponses(AUDIT_TRAIL_PROBLEMS)
  signingAuditTrail(@OperatorContext() operator: OperatorActionContext, @Param('id', ParseUUIDPipe) id: string): Promise<AuditTrailView> {
    return this.auditTrail(operator, SIGNINGS, id);
  }

  @Post('mobile-identifications/:id/refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Poll B-Trust once for a mobile identification now',
    description: 'The same poll the background job makes; a final identification is left as it is.',
  })
  @ApiOkResponse({ type: MobileIdentificationAdminView, description: 'The identification after the poll.' })
  @ApiProblemResponses(REFRESH_PROBLEMS)
  async refreshMobileIdentification(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<MobileIdentificationAdminView> {
    return toMobileIdentificationAdminView(await this.records.refreshMobileIdentification(operator, id));
  }

  @Post('mobile-identifications/:id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve an OUTCOME_UNKNOWN mobile identification',
    description:
      'For an identification whose paid request B-Trust may or may not have started (the record is `OUTCOME_UNKNOWN`). Ask B-Trust, then: ' +
      '`NOT_STARTED` ends it `FAILED` with `RESOLVED_NOT_STARTED`; `STARTED` with B-Trust\'s `callbackId` makes it `PENDING` and polls it again ' +
      'at once. The server never sends the paid request again. The move is in the audit trail with cause `operator`, and the call in `operator_actions`.',
  })
  @ApiBody({
    type: ResolveMobileIdentificationDto,
    examples: {
      started: { summary: 'B-Trust started it', value: { outcome: 'STARTED', callbackId: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81', note: 'B-Trust support ticket 4711' } },
      notStarted: { summary: 'B-Trust never started it', value: { outcome: 'NOT_STARTED', note: 'B-Trust support ticket 4712' } },
    },
  })
  @ApiOkResponse({ type: MobileIdentificationAdminView, description: 'The identification as resolved.' })
  @ApiProblemResponses([...RESOLVE_PROBLEMS, MobileIdentificationErrorCode.CALLBACK_ID_MISMATCH, MobileIdentificationErrorCode.CALLBACK_ID_IN_USE])
  async resolveMobileIdentification(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResolveMobileIdentificationDto,
  ): Promise<MobileIdentificationAdminView> {
    return toMobileIdentificationAdminView(await this.records.resolveMobileIdentification(operator, id, body));
  }

  @Post('web-identifications/:id/refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask B-Trust where a web identification stands now',
    description: 'The same reconciliation that recovers missed webhooks (scenarios 5 and 4); moves are recorded with cause `operator`.',
  })
  @ApiOkResponse({ type: WebIdentificationAdminView, description: 'The identification after asking B-Trust.' })
  @ApiProblemResponses(REFRESH_PROBLEMS)
  async refreshWebIdentification(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebIdentificationAdminView> {
    return toWebIdentificationAdminView(await this.records.refreshWebIdentification(operator, id));
  }

  @Post('signings/:id/refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask B-Trust for a signing\'s signed documents now',
    description: 'The same reconciliation that recovers missed webhooks (3.3); moves are recorded with cause `operator`.',
  })
  @ApiOkResponse({ type: SigningAdminView, description: 'The signing after asking B-Trust.' })
  @ApiProblemResponses(REFRESH_PROBLEMS)
  async refreshSigning(@OperatorContext() operator: OperatorActionContext, @Param('id', ParseUUIDPipe) id: string): Promise<SigningAdminView> {
    return toSigningAdminView(await this.records.refreshSigning(operator, id));
  }

  @Post('signings/:id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve an OUTCOME_UNKNOWN signing',
    description:
      'For a signing whose paid start (3.1) B-Trust may or may not have received (the record is `OUTCOME_UNKNOWN`). Ask B-Trust, then: ' +
      '`NOT_STARTED` ends it `FAILED` with `RESOLVED_NOT_STARTED`; `STARTED` with B-Trust\'s `resultId` makes it `PENDING`, and the next ' +
      'reconciliation round fetches its signed documents (3.3). The server never sends 3.1 again. The move is in the audit trail with cause ' +
      '`operator`, and the call in `operator_actions`.',
  })
  @ApiBody({
    type: ResolveSigningDto,
    examples: {
      started: { summary: 'B-Trust started it', value: { outcome: 'STARTED', resultId: '109', note: 'B-Trust support ticket 4711' } },
      notStarted: { summary: 'B-Trust never started it', value: { outcome: 'NOT_STARTED', note: 'B-Trust support ticket 4712' } },
    },
  })
  @ApiOkResponse({ type: SigningAdminView, description: 'The signing as resolved.' })
  @ApiProblemResponses([...RESOLVE_PROBLEMS, SigningErrorCode.RESULT_ID_IN_USE])
  async resolveSigning(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResolveSigningDto,
  ): Promise<SigningAdminView> {
    return toSigningAdminView(await this.records.resolveSigning(operator, id, body));
  }

  @Get('signings/:id/unmatched-documents')
  @ApiOperation({
    summary: 'Signed documents B-Trust returned that match none of those sent',
    description:
      'Each signed PDF is paired with an original by its content (never by file name); what pairs with none is kept here, never ' +
      'discarded, and counted in the signing\'s `unmatchedDocuments`.',
  })
  @ApiOkResponse({ type: UnmatchedDocumentsView, description: 'The unmatched documents, in the order B-Trust returned them.' })
  @ApiProblemResponses(AUDIT_TRAIL_PROBLEMS)
  async unmatchedDocuments(@OperatorContext() operator: OperatorActionContext, @Param('id', ParseUUIDPipe) id: string): Promise<UnmatchedDocumentsView> {
    const documents = await this.records.unmatchedDocuments(operator, id);
    return { signingId: id, documents: documents.map(toUnmatchedDocumentView) };
  }

  @Get('signings/:id/unmatched-documents/:position')
  @ApiOperation({ summary: 'One unmatched signed document, as B-Trust returned it' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF.', content: { 'application/pdf': {} } })
  @ApiProblemResponses(AUDIT_TRAIL_PROBLEMS)
  async unmatchedDocument(
    @OperatorContext() operator: OperatorActionContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('position', ParseIntPipe) position: number,
  ): Promise<StreamableFile> {
    const document = await this.records.unmatchedDocument(operator, id, position);
    return pdfDownload(document.content, document.fileName);
  }

  private async auditTrail<E extends AdminRecord>(operator: OperatorActionContext, kind: AdminRecordKind<E>, id: string): Promise<AuditTrailView> {
    const transitions = await this.records.auditTrail(operator, kind, id);
    return { entityType: kind.entityType, entityId: id, transitions: transitions.map(toTransitionView) };
  }
}
