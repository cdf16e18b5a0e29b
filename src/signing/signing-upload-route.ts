/**
 * Route config (`@RouteConfig`) of the routes that take whole documents in a
 * JSON body. Nest has no per-route body limit, so start-up gives routes
 * marked with it Fastify's own `bodyLimit`, from the signing limits, while
 * every other route keeps HTTP_BODY_LIMIT_MB.
 */
export const DOCUMENT_UPLOAD_ROUTE = { documentUpload: true } as const;

export function isDocumentUploadRoute(routeConfig: unknown): boolean {
  return (routeConfig as { documentUpload?: unknown } | undefined)?.documentUpload === true;
}
