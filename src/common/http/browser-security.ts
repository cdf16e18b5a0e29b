import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/app-config';
import { REQUEST_ID_HEADER } from '../logging/logging';

/**
 * One policy for every response: strict enough for a JSON API, loose enough
 * for Swagger UI at /docs, whose page loads only same-origin scripts but
 * writes inline styles and draws icons from data: URIs. No
 * upgrade-insecure-requests: on a plain-HTTP development server it would send
 * Swagger UI's own assets to https and break the page (production sits behind
 * TLS, and HSTS covers the upgrade there).
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Security headers (helmet) on every response, and CORS only for the
 * origins in CORS_ORIGINS: with none configured no CORS header is ever sent,
 * so browsers keep the API same-origin. Tokens travel in the Authorization
 * header, never in cookies, so credentials stay off.
 */
export async function registerBrowserSecurity(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(fastifyHelmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY, frameguard: { action: 'deny' } });
  const origins = config.abuseLimits.corsOrigins;
  if (origins.length === 0) return;
  await app.register(fastifyCors, {
    origin: origins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept-Language'],
    exposedHeaders: ['Retry-After', 'Content-Disposition', REQUEST_ID_HEADER],
    credentials: false,
    maxAge: 600,
  });
}
