import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('B-Trust relying-party server (CAS)')
      .setDescription(
        'Remote identification (B-Trust MOBILE and web video identification) and PDF signing with a ' +
          'one-time certificate, through BORICA\'s B-Trust Signing API v2. Every error is an RFC 9457 ' +
          '`application/problem+json` document with a stable machine-readable `code`.',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
