import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ResolvedAppConfig } from '../config/config.module';

/** Where the demo is served. */
export const DEMO_PATH = '/demo';

/**
 * The demo frontend's files: plain HTML, CSS and JavaScript modules that the
 * browser loads as they are (copied next to the compiled server by the build).
 */
export const DEMO_ASSETS_DIR = join(__dirname, 'public');

/**
 * Serves the demo at /demo/ (and redirects /demo there). Static files only,
 * outside Nest's routes: the pages need no token, the API calls they make do.
 */
export function serveDemo(app: NestFastifyApplication, config: Pick<ResolvedAppConfig, 'sandboxPagesUrl'>): void {
  // What the pages cannot know from their own address: where the sandbox's pages are, for the links to them.
  app
    .getHttpAdapter()
    .getInstance()
    .get(`${DEMO_PATH}/environment.json`, async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ sandboxPagesUrl: config.sandboxPagesUrl ?? null }),
    );
  app.useStaticAssets({
    root: DEMO_ASSETS_DIR,
    prefix: `${DEMO_PATH}/`,
    redirect: true,
    index: 'index.html',
    // A browser that keeps an old script after an upgrade would talk to the new API with old code.
    cacheControl: true,
    maxAge: 0,
    // The demo is a handful of files; nothing else under /demo exists.
    wildcard: false,
    decorateReply: false,
  });
}
