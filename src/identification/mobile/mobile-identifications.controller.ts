import { Body, Controller, Get, MessageEvent, Param, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { CurrentOwner } from '../../common/auth/current-owner.decorator';
import { ApiProblemResponses, PAID_START_PROBLEMS } from '../../common/http/api-problem-responses.decorator';
import { PaidCreation } from '../../common/http/paid-creation.decorator';
import { pdfDownload } from '../../common/http/pdf-download';
import { ProviderLanguage, RequestLanguage } from '../../common/http/request-language.decorator';
import { ResponseClosed } from '../../common/http/response-closed.decorator';
import { idempotent, IdempotentWork } from '../../common/idempotency/idempotent';
import { LiveStatus } from '../../events/live-status.service';
import { LiveStatusRoute } from '../../events/live-status-route.decorator';
import { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';
import {
  MobileIdentificationCreatedView,
  MobileIdentificationView,
  toMobileIdentificationCreatedView,
  toMobileIdentificationView,
} from './dto/mobile-identification.view';
import { mobileIdentificationMachine } from './mobile-identification.state';
import { MobileIdentificationsService } from './mobile-identifications.service';
import { HttpErrorCode } from '../../common/problem/http-error';
import { MobileIdentificationErrorCode } from './mobile-identification.errors';
import { RequestErrorCode } from '../../common/problem/request-error';

@ApiTags('mobile identification (B-Trust MOBILE)')
@Controller('api/v1/mobile-identifications')
export class MobileIdentificationsController {
  constructor(
    private readonly identifications: MobileIdentificationsService,
    private readonly liveStatus: LiveStatus,
  ) {}

  @Post()
  @PaidCreation('mobile-identifications')
  @ApiOperation({
    summary: 'Start a B-Trust MOBILE identification (scenario 1; paid)',
    description:
      'Validates the identifier (EGN/LNC checksums, date of birth, e-mail, E.164 phone) before calling B-Trust, ' +
      'then polls B-Trust in the background until the person confirms in the app, rejects, or `expiresAt` passes ' +
      '(then B-Trust is asked once more). When B-Trust may or may not have started the paid request (a timeout, a reset or a 5xx ' +
      'after it was sent), the answer is 502 `PROVIDER_OUTCOME_UNKNOWN` with the record\'s `id`: do not send the request again; ' +
      'the record is `OUTCOME_UNKNOWN` until an operator resolves it. A repeat with the same `Idempotency-Key` gets the same problem.',
  })
  @ApiCreatedResponse({
    type: MobileIdentificationCreatedView,
    description: 'B-Trust took the request: the identification is `PENDING` until the person answers in B-Trust MOBILE. Follow it with GET or `/events`.',
  })
  @ApiProblemResponses([
    RequestErrorCode.VALIDATION_FAILED,
    HttpErrorCode.MALFORMED_JSON,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ...PAID_START_PROBLEMS,
  ])
  create(
    @CurrentOwner() owner: string,
    @Body() request: CreateMobileIdentificationDto,
    @RequestLanguage() language: ProviderLanguage | undefined,
  ): IdempotentWork<MobileIdentificationCreatedView> {
    return idempotent(request, async () => toMobileIdentificationCreatedView(await this.identifications.create(owner, request, language)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status and result of a mobile identification' })
  @ApiOkResponse({ type: MobileIdentificationView, description: 'The identification, with its result once `COMPLETED`.' })
  @ApiProblemResponses([HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND])
  async get(@CurrentOwner() owner: string, @Param('id', ParseUUIDPipe) id: string): Promise<MobileIdentificationView> {
    return toMobileIdentificationView(await this.identifications.findOwned(owner, id));
  }

  @LiveStatusRoute(':id/events', 'mobile identification', { first: 'PENDING', last: 'COMPLETED' })
  events(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    return this.liveStatus.follow(owner, mobileIdentificationMachine, id, () => this.identifications.findOwned(owner, id), closed);
  }

  @Get(':id/certificate')
  @ApiOperation({ summary: 'The eID certificate (PDF) of a COMPLETED mobile identification' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The eID certificate as issued by B-Trust.', content: { 'application/pdf': {} } })
  @ApiProblemResponses([RequestErrorCode.NOT_FOUND, MobileIdentificationErrorCode.NOT_COMPLETED])
  async certificate(@CurrentOwner() owner: string, @Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    return pdfDownload(await this.identifications.certificate(owner, id), `eid-certificate-${id}.pdf`);
  }
}
