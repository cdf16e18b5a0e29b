import type { IncomingMessage } from 'node:http';
import { DynamicModule, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { REQUEST_ID_HEADER, requestIdFor } from './common/logging/logging';
import { sendProblem } from './common/problem/problem.filter';
import { createValidationPipe } from './common/problem/validation-pipe';
import { setupSwagger } from './common/swagger';
import { ResolvedAppConfig } from './config/config.module';

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
  options: { extraModules?: Array<Type | DynamicModule> } = {},
): Promise<NestFastifyApplication> {
  const adapter = new ProblemFastifyAdapter({
    bodyLimit: config.httpBodyLimitBytes,
    genReqId: (request: IncomingMessage) => requestIdFor(request),
    // Behind a load balancer the client address comes from X-Forwarded-For.
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraModules), adapter, {
    bufferLogs: true,
    // Report start-up failures to the caller instead of exiting the process from inside Nest.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  const logger = new NestLogger('HttpErrors');
  fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, logger));

  setupSwagger(app);
  await app.init();
  await fastify.ready();
  return app;
}
