import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { isOperatorRoute, isProtectedRoute } from './auth/protected-routes';
import { ProblemView } from './http/api-problem-responses.decorator';

const BEARER_SCHEME = 'bearer';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('B-Trust relying-party server (CAS)')
      .setDescription(
        'Remote identification (B-Trust MOBILE and web video identification) and PDF signing with a ' +
          'one-time certificate, through BORICA\'s B-Trust Signing API v2. Every error is an RFC 9457 ' +
          '`application/problem+json` document with a stable machine-readable `code`. Every answer under ' +
          '`/api/` carries `Cache-Control: no-store`: none may be kept by a cache.',
      )
      .setVersion('1')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from your identity provider (its `sub` owns what it creates).' },
        BEARER_SCHEME,
      )
      .build(),
  );
  declareBearerAuth(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/**
 * The bearer-token guard protects routes by path, so the document is marked
 * the same way: every /api/v1 operation requires the token and can answer
 * 401, and every /api/v1/admin operation can answer 403.
 */
function declareBearerAuth(document: OpenAPIObject): void {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
  });
  for (const [path, operations] of Object.entries(document.paths)) {
    const routePath = path.replace(/\{(\w+)\}/g, ':$1');
    if (!isProtectedRoute(routePath)) continue;
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      operation.security = [{ [BEARER_SCHEME]: [] }];
      operation.responses['401'] = problem('Problem codes: `UNAUTHENTICATED` (no token, or an invalid or expired one)');
      if (isOperatorRoute(routePath)) operation.responses['403'] = problem('Problem codes: `FORBIDDEN` (the token lacks the operator role)');
    }
  }
}
