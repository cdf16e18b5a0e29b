import { BadRequestException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { FastifyInstance } from 'fastify';
import { subjectOf } from '../common/auth/current-owner.decorator';
import type { WebIdentificationsService } from '../identification/web/web-identifications.service';
import { isDocumentUploadRoute } from './signing-upload-route';

/**
 * A signing upload names the identification whose sign session it uses:
 * that it exists and belongs to the caller is checked before the body is
 * read (Fastify's preParsing, after authentication and the rate limit), so a
 * 100 MB body for someone else's identification, or for none, is answered
 * 404 unread. The service checks again, with the rest of its rules, once the
 * body is in. Call before the routes are registered.
 */
export function checkSigningParentBeforeTheBody(fastify: FastifyInstance, identifications: WebIdentificationsService): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!isDocumentUploadRoute(request.routeOptions.config)) return payload;
    const owner = subjectOf(request)?.sub;
    if (owner === undefined) throw new Error('A document upload route must be behind bearer-token authentication');
    const { id } = request.params as { id?: unknown };
    // As ParseUUIDPipe answers once the body is read.
    if (typeof id !== 'string' || !isUUID(id)) throw new BadRequestException('Validation failed (uuid is expected)');
    await identifications.findOwned(owner, id);
    return payload;
  });
}
