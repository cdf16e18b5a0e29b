import { Body, Controller, Get, MessageEvent, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { ProviderErrorCode } from '../../btrust/provider-failure';
import { CurrentOwner } from '../../common/auth/current-owner.decorator';
import { ApiProblemResponses, UPSTREAM_PROBLEMS } from '../../common/http/api-problem-responses.decorator';
import { PaidCreation } from '../../common/http/paid-creation.decorator';
import { pdfDownload } from '../../common/http/pdf-download';
import { ProviderLanguage, RequestLanguage } from '../../common/http/request-language.decorator';
import { ResponseClosed } from '../../common/http/response-closed.decorator';
import { idempotent, IdempotentWork } from '../../common/idempotency/idempotent';
import { LiveStatus } from '../../events/live-status.service';
import { LiveStatusRoute } from '../../events/live-status-route.decorator';
import { CreateWebIdentificationDto } from './dto/create-web-identification.dto';
import {
  RegistrationView,
  toRegistrationView,
  toWebIdentificationCreatedView,
  toWebIdentificationView,
  WebIdentificationCreatedView,
  WebIdentificationView,
} from './dto/web-identification.view';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationsService } from './web-identifications.service';
import { HttpErrorCode } from '../../common/problem/http-error';
import { RequestErrorCode } from '../../common/problem/request-error';
import { WebIdentificationErrorCode } from './web-identification.errors';

@ApiTags('web identification (video)')
@Controller('api/v1/web-identifications')
export class WebIdentificationsController {
  constructor(
    private readonly identifications: WebIdentificationsService,
    private readonly liveStatus: LiveStatus,
  ) {}

  @Post()
  @PaidCreation('web-identifications')
  @ApiOperation({
    summary: 'Start a web (video) identification (scenario 2)',
    description:
      'Calls startWebIdentification with a fresh secret callback URL, then createRegistration, and answers the URL ' +
      'to send the person\'s browser to. B-Trust\'s webhook (or, if it never comes, reconciliation) moves the ' +
      'identification on; poll GET or use `?refresh=true`.',
  })
  @ApiCreatedResponse({ type: WebIdentificationCreatedView, description: 'Started: send the person\'s browser to `redirectUrl`.' })
  @ApiProblemResponses([
    RequestErrorCode.VALIDATION_FAILED,
    HttpErrorCode.MALFORMED_JSON,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ...UPSTREAM_PROBLEMS,
    ProviderErrorCode.PROVIDER_ACCESS_REFUSED,
  ])
  create(
    @CurrentOwner() owner: string,
    @Body() request: CreateWebIdentificationDto,
    @RequestLanguage() language: ProviderLanguage | undefined,
  ): IdempotentWork<WebIdentificationCreatedView> {
    return idempotent(request, async () => toWebIdentificationCreatedView(await this.identifications.create(owner, request, language)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status and result of a web identification' })
  @ApiQuery({ name: 'refresh', required: false, type: Boolean, description: 'Ask B-Trust now (scenarios 5 and 4) before answering.' })
  @ApiOkResponse({ type: WebIdentificationView, description: 'The identification, with B-Trust\'s progress and, once `IDENTIFIED`, the sign session.' })
  @ApiProblemResponses([HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND, ...UPSTREAM_PROBLEMS])
  async get(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Query('refresh') refresh?: string,
  ): Promise<WebIdentificationView> {
    const identification =
      refresh === 'true' ? await this.identifications.refreshOwned(owner, id) : await this.identifications.findOwned(owner, id);
    return toWebIdentificationView(identification);
  }

  @LiveStatusRoute(':id/events', 'web identification', { first: 'STARTED', last: 'IDENTIFIED' })
  events(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    return this.liveStatus.follow(owner, webIdentificationMachine, id, () => this.identifications.findOwned(owner, id), closed);
  }

  @Get(':id/certificate')
  @ApiOperation({ summary: 'The eID certificate (PDF) of an IDENTIFIED web identification' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The eID certificate as issued by B-Trust.', content: { 'application/pdf': {} } })
  @ApiProblemResponses([RequestErrorCode.NOT_FOUND, WebIdentificationErrorCode.NOT_IDENTIFIED])
  async certificate(@CurrentOwner() owner: string, @Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    return pdfDownload(await this.identifications.certificate(owner, id), `eid-certificate-${id}.pdf`);
  }

  @Get(':id/registration')
  @ApiOperation({ summary: 'The registration\'s status at B-Trust, live (scenario 4)' })
  @ApiOkResponse({ type: RegistrationView, description: 'The registration as B-Trust reports it now.' })
  @ApiProblemResponses([RequestErrorCode.NOT_FOUND, WebIdentificationErrorCode.NO_REGISTRATION, ...UPSTREAM_PROBLEMS])
  async registration(
    @CurrentOwner() owner: string,
    @Param('id', ParseUUIDPipe) id: string,
    @RequestLanguage() language: ProviderLanguage | undefined,
  ): Promise<RegistrationView> {
    return toRegistrationView(await this.identifications.registration(owner, id, language));
  }
}
