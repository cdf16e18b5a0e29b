import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { subjectOf } from '../common/auth/current-owner.decorator';
import type { OperatorActionContext } from './operator-action-log';

/** Who acts (the token's subject) and the request id, for the operator-action audit. */
export const OperatorContext = createParamDecorator((_data: unknown, context: ExecutionContext): OperatorActionContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const subject = subjectOf(request);
  if (!subject) throw new Error('No authenticated subject on an operator route: the bearer-token guard did not run');
  return { actor: subject.sub, requestId: String(request.id) };
});
