import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * The subject every request acts as when no authentication is configured
 * (development only: production refuses to start without it).
 */
export const DEVELOPMENT_OWNER = 'development-user';

/** Who is calling, as established by the bearer-token guard for /api/v1. */
export interface AuthenticatedSubject {
  /** The token's `sub`: owns every record the request creates, and only those are visible to it. */
  sub: string;
  /** The token's `roles` claim (strings only). */
  roles: string[];
  /** True for the development user of a server without authentication. */
  development: boolean;
}

const SUBJECT = Symbol('authenticatedSubject');

type WithSubject = { [SUBJECT]?: AuthenticatedSubject };

export function attachSubject(request: object, subject: AuthenticatedSubject): void {
  (request as WithSubject)[SUBJECT] = subject;
}

export function subjectOf(request: object): AuthenticatedSubject | undefined {
  return (request as WithSubject)[SUBJECT];
}

function requireSubject(context: ExecutionContext): AuthenticatedSubject {
  const subject = subjectOf(context.switchToHttp().getRequest<object>());
  // Only reachable when a handler outside /api/v1 asks for an owner: a wiring mistake, never an anonymous default.
  if (!subject) throw new Error('No authenticated subject on this request: the route is not behind the bearer-token guard');
  return subject;
}

/** The subject that owns the records a request creates and may read. */
export const CurrentOwner = createParamDecorator((_data: unknown, context: ExecutionContext): string => requireSubject(context).sub);

/** The whole authenticated subject (subject and roles), for handlers that act on others' records. */
export const CurrentSubject = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSubject => requireSubject(context),
);
