import fp from 'fastify-plugin';
import { FaultInjector } from '../fault-injector';
import { SandboxLogger } from '../sandbox-logger';
import { errorBody } from '../wire-format';
import { languageOfRequest } from './api-request';

const MALFORMED_JSON = '{"data":{"status":"IN_PROGRESS","responseCode":';

/**
 * Counts every call of a known operation and makes it suffer the transport
 * fault the control API armed for it: a 500 or 503, a body that is not JSON,
 * a reset connection, or a delay.
 */
export const faultInjection = fp<{ faults: FaultInjector; logger: SandboxLogger }>(
  async (app, { faults, logger }) => {
    app.addHook('onRequest', async (request, reply) => {
      const operation = request.routeOptions.config.operation;
      if (!operation) return;
      const fault = faults.takeTransportFault(operation);
      if (!fault) return;
      logger.info({ operation, fault: fault.kind }, 'sandbox fault injected');
      switch (fault.kind) {
        case 'http500':
          return reply.code(500).send(errorBody('ERROR', languageOfRequest(request)));
        case 'http503':
          return reply
            .code(503)
            .type('text/html')
            .send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
        case 'malformed':
          return reply.code(200).type('application/json').send(MALFORMED_JSON);
        case 'reset':
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
          return;
      }
    });
  },
  { name: 'sandbox-fault-injection' },
);
