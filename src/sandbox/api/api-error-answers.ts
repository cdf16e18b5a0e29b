import { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { ProviderRefusal } from '../provider-refusal';
import { SandboxLogger } from '../sandbox-logger';
import { errorBody } from '../wire-format';
import { languageOfRequest } from './api-request';

/**
 * Every failed call ends in one of the document's error bodies: a
 * ProviderRefusal as it says, Fastify's own refusals as BAD_REQUEST, an
 * unknown path as NOT_FOUND, anything else as ERROR.
 */
export const apiErrorAnswers = fp<{ logger: SandboxLogger }>(
  async (app, { logger }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof ProviderRefusal) {
        logger.warn(
          { operation: request.routeOptions.config.operation, statusCode: error.httpStatus, code: error.code, reason: error.reason },
          'sandbox api call refused',
        );
        return reply.code(error.httpStatus).send(errorBody(error.code, languageOfRequest(request)));
      }
      // Fastify's own refusals (unparsable JSON, wrong content type, body too large) are malformed requests.
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return reply.code(400).send(errorBody('BAD_REQUEST', languageOfRequest(request)));
      }
      logger.warn({ operation: request.routeOptions.config.operation, error: error.message }, 'sandbox api call failed');
      return reply.code(500).send(errorBody('ERROR', languageOfRequest(request)));
    });

    app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('NOT_FOUND', languageOfRequest(request))));
  },
  { name: 'sandbox-api-error-answers' },
);
