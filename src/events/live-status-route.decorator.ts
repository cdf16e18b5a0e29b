import { applyDecorators, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator';
import { HttpErrorCode } from '../common/problem/http-error';
import { LiveStatusErrorCode } from './live-status.errors';
import { RequestErrorCode } from '../common/problem/request-error';

/** An `/events` endpoint: Server-Sent Events of one record's status, documented once for all of them. */
export function LiveStatusRoute(path: string, what: string, example: { first: string; last: string }) {
  const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  return applyDecorators(
    Sse(path),
    ApiOperation({
      summary: `Live status of a ${what} (Server-Sent Events)`,
      description:
        '`text/event-stream`: first an event `status` with the current status, then one per change, and the ' +
        'stream closes after a final status (`final: true`: do not reconnect). A comment line every 15 s keeps ' +
        'the connection open through proxies. Changes made by any server instance arrive (PostgreSQL LISTEN/NOTIFY). ' +
        'Same bearer token and ownership as the GET endpoint: browsers, whose `EventSource` cannot send an ' +
        'Authorization header, read the stream with `fetch()` (see the demo at /demo). Each user may hold ' +
        'LIVE_STATUS_MAX_STREAMS_PER_USER streams open on an instance, and an instance LIVE_STATUS_MAX_STREAMS in all: ' +
        'past either, 429 `TOO_MANY_STREAMS` with `Retry-After` and `limit` (`user` or `instance`).',
    }),
    ApiProduces('text/event-stream'),
    ApiOkResponse({
      description: 'The event stream.',
      content: {
        'text/event-stream': {
          schema: { type: 'string' },
          example:
            `\nevent: status\nid: 1\ndata: {"id":"${id}","status":"${example.first}","final":false}\n\n` +
            `: heartbeat\n\n` +
            `event: status\nid: 2\ndata: {"id":"${id}","status":"${example.last}","final":true}\n\n`,
        },
      },
    }),
    ApiProblemResponses([HttpErrorCode.BAD_REQUEST, RequestErrorCode.NOT_FOUND, LiveStatusErrorCode.TOO_MANY_STREAMS]),
  );
}
