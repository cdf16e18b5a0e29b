import fp from 'fastify-plugin';
import { SandboxLogger } from '../sandbox-logger';

/** One log line per call: the operation, the status and the time taken; never a body, which may hold personal data. */
export const apiCallLogging = fp<{ logger: SandboxLogger }>(
  async (app, { logger }) => {
    app.addHook('onResponse', async (request, reply) => {
      logger.info(
        {
          operation: request.routeOptions.config.operation ?? 'unknown',
          method: request.method,
          statusCode: reply.statusCode,
          responseTimeMs: Math.round(reply.elapsedTime),
        },
        'sandbox api call',
      );
    });
  },
  { name: 'sandbox-api-call-logging' },
);
