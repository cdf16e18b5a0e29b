import { createParamDecorator } from '@nestjs/common';

/**
 * Until bearer-token authentication lands, every request acts as this one
 * development user. Records still carry an owner from the start, so that
 * scoping every query by owner is already in place.
 */
export const DEVELOPMENT_OWNER = 'development-user';

/** The subject that owns the records a request creates and may read. */
export const CurrentOwner = createParamDecorator((): string => DEVELOPMENT_OWNER);
