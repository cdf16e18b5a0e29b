import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * A signal that aborts when the response closes: sent in full, or its
 * client gone. It fires even when the client leaves before the handler has
 * returned, when Nest never subscribes to an event stream the handler then
 * gives it, so nothing tied to that stream's teardown would run.
 */
export const ResponseClosed = createParamDecorator((_data: unknown, context: ExecutionContext): AbortSignal => {
  const response = context.switchToHttp().getResponse<FastifyReply>().raw;
  const closed = new AbortController();
  if (response.destroyed || response.socket?.destroyed !== false) closed.abort();
  else response.once('close', () => closed.abort());
  return closed.signal;
});
