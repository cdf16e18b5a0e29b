/**
 * Which routes need a bearer token: the frontend API. Webhooks, health,
 * documentation and metrics authenticate differently or not at all.
 */
export const PROTECTED_PREFIX = '/api/v1';

/** The operator API, which also needs the operator role. */
export const OPERATOR_PREFIX = `${PROTECTED_PREFIX}/admin`;

/** Decided on the route's registered path (e.g. `/api/v1/signings/:id`), never on a raw URL. */
export function isProtectedRoute(routePath: string | undefined): boolean {
  return isUnder(routePath, PROTECTED_PREFIX);
}

export function isOperatorRoute(routePath: string | undefined): boolean {
  return isUnder(routePath, OPERATOR_PREFIX);
}

function isUnder(routePath: string | undefined, prefix: string): boolean {
  return routePath !== undefined && (routePath === prefix || routePath.startsWith(`${prefix}/`));
}
