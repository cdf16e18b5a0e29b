import type { IncomingMessage } from 'node:http';
import { DynamicModule, Logger as NestLogger, Type } from '@nestjs/common';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { AppModule } from './app.module';
import { isProtectedRoute } from './common/auth/protected-routes';
import { CreationRateLimiter, limitCreationsBeforeTheBody } from './common/rate-limit/creation-rate-limit';
import { refuseUnacceptedMediaTypes } from './common/http/accepted-media-types';
import { registerBrowserSecurity } from './common/http/browser-security';
import { closeStalledBodies, connectionLimitOptions } from './common/http/connection-limits';
import { keepPersonalDataOutOfCaches } from './common/http/no-store';
import { REQUEST_ID_HEADER, requestIdFor } from './common/logging/logging';
import { ProcessLogging, processLoggingFor } from './common/logging/process-logger';
import { sendProblem } from './common/problem/problem.filter';
import { createValidationPipe } from './common/problem/validation-pipe';
import { setupSwagger } from './common/swagger';
import { ResolvedAppConfig } from './config/config.module';
import { serveDemo } from './demo/demo-assets';
import { signingRequestBodyLimit } from './signing/signing-request-rules';
import { useDocumentJsonParser } from './signing/document-json-body';
import { isDocumentUploadRoute } from './signing/signing-upload-route';
import { checkSigningParentBeforeTheBody } from './signing/signing-upload-checks';
import { WebIdentificationsService } from './identification/web/web-identifications.service';

/**
 * Errors raised before a route handler runs (body parsing, content type) do
 * not reach Nest's filters. Nest's own Fastify error handler for them keeps
 * only the message and drops Fastify's error code, so ours is installed
 * instead and Nest's is not.
 */
class ProblemFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

/**
 * Builds the whole server, ready to listen: the same code path for `npm start`
 * and for the e2e tests, so the tests exercise what production runs.
 */
export async function createApp(
  config: ResolvedAppConfig,
  options: { extraModules?: Array<Type | DynamicModule>; logging?: ProcessLogging } = {},
): Promise<NestFastifyApplication> {
  const logging = options.logging ?? processLoggingFor(config);
  const adapter = new ProblemFastifyAdapter({
    bodyLimit: config.httpBodyLimitBytes,
    genReqId: (request: IncomingMessage) => requestIdFor(request),
    // Behind a load balancer the client address comes from X-Forwarded-For, as far as TRUST_PROXY trusts it.
    trustProxy: config.abuseLimits.trustProxy,
    // Slow and stalled clients are cut; keep-alive connections are bounded.
    ...connectionLimitOptions(config.httpConnections),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logging.pino, options.extraModules), adapter, {
    logger: logging.nest,
    // Report start-up failures to the caller instead of exiting the process from inside Nest.
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe(config.identification.allowedRedirectOrigins));

  const fastify = app.getHttpAdapter().getInstance();
  closeStalledBodies(fastify, config.httpConnections.bodyTimeoutMs);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  keepPersonalDataOutOfCaches(fastify);
  // Authentication before the body is read: an anonymous upload is refused without being buffered or parsed.
  const authentication = app.get(BearerAuthGuard);
  fastify.addHook('onRequest', (request, _reply, done) => {
    // Webhooks, health and docs pass without a promise: this hook runs on every request.
    if (!isProtectedRoute(request.routeOptions.url)) return done();
    authentication.authenticateRequest(request).then(() => done(), done);
  });
  const logger = new NestLogger('HttpErrors');
  fastify.setErrorHandler((error, request, reply) => {
    // Refused before its body was read (or while reading it): the connection closes rather than read the rest to reuse it.
    if (!request.raw.complete) void reply.header('connection', 'close');
    sendProblem(error, request, reply, logger);
  });
  await registerBrowserSecurity(app, config);
  // Browsers upload documents as multipart/form-data; read as streams by the routes that take them, within the signing limits.
  await app.register(fastifyMultipart, { limits: { fileSize: config.signing.maxDocumentBytes, files: config.signing.maxDocuments } });
  // A body of a media type its route does not take is refused (415) before it is read.
  refuseUnacceptedMediaTypes(fastify);
  // Then, still before any body is read: the paid-creation rate limit, and the signing's identification (exists, is the caller's).
  limitCreationsBeforeTheBody(fastify, app.get(CreationRateLimiter));
  checkSigningParentBeforeTheBody(fastify, app.get(WebIdentificationsService));
  // Routes are added by app.init() below; those that take documents inline get a body limit sized for them.
  fastify.addHook('onRoute', (route) => {
    if (isDocumentUploadRoute(route.config)) route.bodyLimit = signingRequestBodyLimit(config.signing);
  });

  // Off in production unless SWAGGER_ENABLED=true: the document maps every endpoint for whoever reaches it.
  if (config.swaggerEnabled) setupSwagger(app, config);
  // Off in production unless DEMO_ENABLED=true.
  if (config.demoEnabled) serveDemo(app, config);
  await app.init();
  // After init, which registers Nest's JSON parser: this one takes its place.
  useDocumentJsonParser(fastify, config.jsonMaxDepth);
  await fastify.ready();
  return app;
}
