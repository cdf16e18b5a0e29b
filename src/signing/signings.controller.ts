import { Controller, Get, MessageEvent, Param, ParseIntPipe, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { CurrentOwner } from '../common/auth/current-owner.decorator';
import { exampleUrl } from '../common/http/api-examples';
import { AcceptsMediaTypes, JSON_MEDIA_TYPE, MULTIPART_MEDIA_TYPE, unsupportedMediaTypeExample } from '../common/http/accepted-media-types';
import { ApiProblemResponses, PAID_START_PROBLEMS } from '../common/http/api-problem-responses.decorator';
import { PaidCreation } from '../common/http/paid-creation.decorator';
import { pdfDownload } from '../common/http/pdf-download';
import { ProviderLanguage, RequestLanguage } from '../common/http/request-language.decorator';
import { ResponseClosed } from '../common/http/response-closed.decorator';
import { idempotent, IdempotentWork } from '../common/idempotency/idempotent';
import { LiveStatus } from '../events/live-status.service';
import { LiveStatusRoute } from '../events/live-status-route.decorator';
import { SIGNING_GATE_EXAMPLES } from '../identification/web/web-identification-signing-gate';
import { WebIdentificationErrorCode } from '../identification/web/web-identification.errors';
import { CreateSigningDto, SigningMetadataDto } from './dto/create-signing.dto';
import { EXAMPLE_PDF_BASE64 } from './dto/example-pdf';
import { SigningCreatedView, SigningView, toSigningCreatedView, toSigningView } from './dto/signing.view';
import { METADATA_FIELD, SigningRequestBody } from './signing-request-reader';
import { DOCUMENT_UPLOAD_ROUTE } from './signing-upload-route';
import { signingMachine } from './signing.state';
import { SigningCreationService } from './signing-creation.service';
import { SigningsService } from './signings.service';
import { signingRequestFingerprint } from './signing-request-fingerprint';
import { HttpErrorCode } from '../common/problem/http-error';
import { RequestErrorCode } from '../common/problem/request-error';
import { SigningErrorCode } from './signing.errors';
import type { SigningInput } from './signing.types';

const SIGNING_MEDIA_TYPES = [JSON_MEDIA_TYPE, MULTIPART_MEDIA_TYPE];

const EXAMPLE_URLS = { successUrl: exampleUrl('/signed'), cancelUrl: exampleUrl('/not-signed') };
const EXAMPLE_VISIBLE_SIGNATURE = { page: 1, x: 56, y: 700, width: 200, height: 60 };
const EXAMPLE_METADATA = {
  documents: [{ title: 'Loan agreement 4711', visibleSignature: EXAMPLE_VISIBLE_SIGNATURE }],
  emailSignedDocuments: false,
  ...EXAMPLE_URLS,
};

@ApiTags('signing')
@ApiExtraModels(CreateSigningDto, SigningMetadataDto)
@Controller('api/v1')
export class SigningsController {
  constructor(
    private readonly signings: SigningsService,
    private readonly creation: SigningCreationService,
    private readonly liveStatus: LiveStatus,
  ) {}

  @Post('web-identifications/:id/signings')
  @PaidCreation('signings')
  @RouteConfig(DOCUMENT_UPLOAD_ROUTE)
  @AcceptsMediaTypes(...SIGNING_MEDIA_TYPES)
  @ApiOperation({
    summary: 'Sign PDFs with the identified person\'s one-time certificate (scenario 3)',
    description:
      'The identification must be IDENTIFIED with an unexpired sign session, and have no other signing PENDING or OUTCOME_UNKNOWN. ' +
      'The rate limit and the identification (exists, is yours) are checked before the body is read. ' +
      'Every document is checked first (a real, unencrypted PDF within SIGNING_MAX_DOCUMENT_MB, at most ' +
      'SIGNING_MAX_DOCUMENTS, parsed within the SIGNING_PDF_* limits (422 PDF_LIMIT_EXCEEDED), the visible ' +
      'signature\'s page and box inside it, a safe file name; redirects on the allow-list; JavaScript or launch ' +
      'actions are listed in each document\'s `activeContent`, or refused with 422 ACTIVE_CONTENT_REFUSED under ' +
      'SIGNING_ACTIVE_CONTENT=refuse): a refusal costs no B-Trust call. Then startSignSession; send the person to `redirectUrl`. ' +
      'B-Trust\'s webhook (or reconciliation) fetches, stores and verifies the signed PDFs. When B-Trust may or may not have ' +
      'started the paid signing (a timeout, a reset or a 5xx after it was sent), the answer is 502 `PROVIDER_OUTCOME_UNKNOWN` with ' +
      'the signing\'s `id`: do not send it again; the signing is `OUTCOME_UNKNOWN` until an operator resolves it, and a repeat with the ' +
      'same `Idempotency-Key` gets the same problem. Send JSON with base64 ' +
      `documents, or multipart/form-data with one file part per PDF and a \`${METADATA_FIELD}\` field (JSON) describing ` +
      'them in the same order.',
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(CreateSigningDto) },
          examples: {
            invisible: {
              summary: 'One document, invisible signature',
              value: {
                documents: [{ fileName: 'contract-4711.pdf', title: 'Loan agreement 4711', contentBase64: EXAMPLE_PDF_BASE64 }],
                ...EXAMPLE_URLS,
              },
            },
            visible: {
              summary: 'Two documents, the first with a visible signature, copies e-mailed',
              value: {
                documents: [
                  {
                    fileName: 'contract-4711.pdf',
                    title: 'Loan agreement 4711',
                    contentBase64: EXAMPLE_PDF_BASE64,
                    visibleSignature: EXAMPLE_VISIBLE_SIGNATURE,
                  },
                  { fileName: 'terms.pdf', title: 'General terms', contentBase64: EXAMPLE_PDF_BASE64 },
                ],
                emailSignedDocuments: true,
                ...EXAMPLE_URLS,
              },
            },
          },
        },
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: [METADATA_FIELD, 'files'],
            properties: {
              [METADATA_FIELD]: {
                allOf: [{ $ref: getSchemaPath(SigningMetadataDto) }],
                description: 'JSON. `documents[i]` describes the i-th file part; `fileName` defaults to the part\'s file name.',
              },
              files: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'The PDFs, one part each.' },
            },
          },
          encoding: { [METADATA_FIELD]: { contentType: 'application/json' }, files: { contentType: 'application/pdf' } },
          examples: {
            oneDocument: {
              summary: 'One uploaded PDF and its metadata',
              // A file part's content cannot be written in JSON: the value stands for the PDF's bytes.
              value: { [METADATA_FIELD]: EXAMPLE_METADATA, files: ['(the bytes of contract-4711.pdf)'] },
            },
          },
        },
      },
    },
  })
  @ApiCreatedResponse({ type: SigningCreatedView, description: 'B-Trust took the documents: the signing is `PENDING`; send the person to `redirectUrl`.' })
  @ApiProblemResponses([
    RequestErrorCode.VALIDATION_FAILED,
    SigningErrorCode.TOO_MANY_DOCUMENTS,
    HttpErrorCode.MALFORMED_JSON,
    HttpErrorCode.JSON_TOO_DEEP,
    SigningErrorCode.MALFORMED_MULTIPART,
    RequestErrorCode.NOT_FOUND,
    WebIdentificationErrorCode.NOT_IDENTIFIED,
    WebIdentificationErrorCode.IDENTIFICATION_DENIED,
    WebIdentificationErrorCode.SIGN_SESSION_EXPIRED,
    SigningErrorCode.SIGNING_IN_PROGRESS,
    SigningErrorCode.DOCUMENT_TOO_LARGE,
    HttpErrorCode.PAYLOAD_TOO_LARGE,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
    SigningErrorCode.PDF_LIMIT_EXCEEDED,
    SigningErrorCode.ACTIVE_CONTENT_REFUSED,
    ...PAID_START_PROBLEMS,
    WebIdentificationErrorCode.IDENTIFICATION_STATUS_UNAVAILABLE,
  ], { UNSUPPORTED_MEDIA_TYPE: unsupportedMediaTypeExample(SIGNING_MEDIA_TYPES), ...SIGNING_GATE_EXAMPLES })
  create(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) identificationId: string,
    @SigningRequestBody() input: SigningInput,
    @RequestLanguage() language: ProviderLanguage | undefined,
  ): IdempotentWork<SigningCreatedView> {
    return idempotent(signingRequestFingerprint(identificationId, input), async () =>
      toSigningCreatedView(await this.creation.create(owner, identificationId, input, language)),
    );
  }

  @Get('signings/:id')
  @ApiOperation({ summary: 'Status of a signing and the verification of each signed PDF' })
  @ApiOkResponse({ type: SigningView, description: 'The signing, with each document\'s verification once signed.' })
  @ApiProblemResponses([HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND])
  async get(@CurrentOwner() owner: string, @Param('id', ParseUUIDPipe) id: string): Promise<SigningView> {
    const signing = await this.signings.findOwned(owner, id);
    return toSigningView(signing, await this.signings.documentsOf(id));
  }

  @LiveStatusRoute('signings/:id/events', 'signing', { first: 'PENDING', last: 'SIGNED' })
  events(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    return this.liveStatus.follow(owner, signingMachine, id, () => this.signings.findOwned(owner, id), closed);
  }

  @Get('signings/:id/documents/:index')
  @ApiOperation({ summary: 'A signed PDF, as B-Trust returned it (check `verification` in the signing first)' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The signed PDF.', content: { 'application/pdf': {} } })
  @ApiProblemResponses([HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND, SigningErrorCode.NOT_SIGNED])
  async document(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('index', ParseIntPipe) index: number,
  ): Promise<StreamableFile> {
    const document = await this.signings.signedDocument(owner, id, index);
    return pdfDownload(document.content, document.fileName);
  }
}
