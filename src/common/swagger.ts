import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ResolvedAppConfig } from '../config/config.module';
import { isOperatorRoute, isProtectedRoute } from './auth/protected-routes';
import { EXAMPLE_ORIGIN } from './http/api-examples';
import { problemContent } from './http/api-problem-responses.decorator';
import { HttpErrorCode } from './problem/http-error';
import { statusOf } from './problem/problem-catalogue';

const BEARER_SCHEME = 'bearer';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication, config: ResolvedAppConfig): void {
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
      .setLicense('MIT', 'https://spdx.org/licenses/MIT.html')
      .addServer(config.publicBaseUrl, 'This server, at its PUBLIC_BASE_URL.')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from your identity provider (its `sub` owns what it creates).' },
        BEARER_SCHEME,
      )
      .build(),
  );
  declareAuthentication(document);
  const served = withExampleOrigin(document, new URL(config.publicBaseUrl).origin);
  SwaggerModule.setup('docs', app, served, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/**
 * The bearer-token guard protects routes by path, so the document is marked
 * the same way: every /api/v1 operation requires the token and can answer
 * 401, and every /api/v1/admin operation can answer 403. Every other
 * operation (health, the webhook, whose secret is its URL) says explicitly
 * that it takes no credential.
 */
function declareAuthentication(document: OpenAPIObject): void {
  for (const [path, operations] of Object.entries(document.paths)) {
    const routePath = path.replace(/\{(\w+)\}/g, ':$1');
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (!isProtectedRoute(routePath)) {
        operation.security = [];
        continue;
      }
      operation.security = [{ [BEARER_SCHEME]: [] }];
      operation.responses[statusOf(HttpErrorCode.UNAUTHENTICATED)] = {
        description: 'Problem codes: `UNAUTHENTICATED` (no token, or an invalid or expired one)',
        content: problemContent([HttpErrorCode.UNAUTHENTICATED]),
      };
      if (isOperatorRoute(routePath)) {
        operation.responses[statusOf(HttpErrorCode.FORBIDDEN)] = {
          description: 'Problem codes: `FORBIDDEN` (the token lacks the operator role)',
          content: problemContent([HttpErrorCode.FORBIDDEN]),
        };
      }
    }
  }
}

/**
 * The examples' redirect URLs (successUrl, cancelUrl) are written on
 * EXAMPLE_ORIGIN; served, they are on this server's own origin, which the
 * redirect allow-list takes by default, so that "Try it out" succeeds as
 * shown on any server.
 */
function withExampleOrigin(document: OpenAPIObject, origin: string): OpenAPIObject {
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(`${EXAMPLE_ORIGIN}/`) ? origin + value.slice(EXAMPLE_ORIGIN.length) : value,
  ) as OpenAPIObject;
}
