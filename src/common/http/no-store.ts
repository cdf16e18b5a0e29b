import type { FastifyInstance } from 'fastify';

/**
 * Every answer under /api/ carries, or may carry, personal data or documents:
 * records, eID certificates, signed PDFs, live status, the admin API, and the
 * problems those routes answer.
 */
const PERSONAL_DATA_PREFIX = '/api/';

/**
 * `Cache-Control: no-store` on every answer under /api/, so that neither a
 * shared proxy nor the browser's disk cache keeps a person's data or
 * documents after the answer was read. Set when the request arrives, before
 * authentication, so refusals and errors carry it too. (The event streams
 * write their own headers, which Nest gives `no-store` as well.)
 */
export function keepPersonalDataOutOfCaches(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith(PERSONAL_DATA_PREFIX)) void reply.header('cache-control', 'no-store');
    done();
  });
}
