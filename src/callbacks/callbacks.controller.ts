import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { BTRUST_CALLBACK_EXAMPLE } from '../btrust/btrust-examples';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator';
import { CallbackInboxService, CallbackReceipt } from './callback-inbox.service';
import { CallbackErrorCode } from './callback.errors';
import { HttpErrorCode } from '../common/problem/http-error';

@ApiTags('B-Trust webhook')
@Controller('callbacks/btrust')
export class CallbacksController {
  constructor(private readonly inbox: CallbackInboxService) {}

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'B-Trust status webhook (called by B-Trust, not by the frontend)',
    description:
      'The URL is the `requestCallbackUrl` given to B-Trust for one web identification. The body is stored and ' +
      'answered at once; processing confirms with B-Trust over mutual TLS before any state changes. Repeats of ' +
      'the same delivery are answered but processed once.\n\n' +
      'A webhook is tied to its flow by this URL and its `resultId` (2.1\'s for the identification, 3.1\'s for a ' +
      'signing). Its `sessionId` may be any id the flow knows (the web session, the registration\'s session, a sign ' +
      'session used or handed out) and its `relyingPartyId` may differ from the `relyingPartyID` header we send: ' +
      'both are recorded for operators, neither is a reason to refuse it.',
  })
  @ApiParam({ name: 'token', description: 'The unguessable part of the callback URL.' })
  @ApiBody({ schema: { type: 'object', example: BTRUST_CALLBACK_EXAMPLE } })
  @ApiOkResponse({
    description: '`accepted` (stored, to be processed), or `duplicate` (the same delivery is already stored; processed once).',
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['accepted', 'duplicate'] } },
      example: { status: 'accepted' },
    },
  })
  @ApiProblemResponses([
    CallbackErrorCode.INVALID_CALLBACK,
    HttpErrorCode.MALFORMED_JSON,
    CallbackErrorCode.CALLBACK_NOT_FOUND,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
  ])
  receive(@Param('token') token: string, @Body() body: unknown): Promise<CallbackReceipt> {
    return this.inbox.receive(token, body);
  }
}
