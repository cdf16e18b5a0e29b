import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';

/**
 * The system's Chromium (Debian's `chromium` package; CI installs it), never
 * a browser downloaded by Playwright. CHROMIUM_PATH points elsewhere, e.g.
 * to Google Chrome on a developer's machine.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, quiet, reproducible: no sandbox (CI runs as root), no GPU, nothing fetched in the background. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Committed screenshots, rewritten only when asked (`npm run screenshots`): a normal test run leaves the work tree clean. */
const COMMITTED_SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors the pages raised (uncaught exceptions, console errors such as CSP violations), but not failed requests. */
  errors: string[];
  /** Saves a screenshot of a whole page, or of one part of it, as `<name>.png`. */
  screenshot(name: string, target?: Page | Locator): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'btrust-cas-chromium-'));
  const committed = process.env.UPDATE_SCREENSHOTS === 'true';
  const screenshots = committed ? COMMITTED_SCREENSHOTS : await mkdtemp(join(tmpdir(), 'btrust-cas-screenshots-'));
  await mkdir(screenshots, { recursive: true });

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 960, height: 720 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/Sofia',
  });
  context.setDefaultTimeout(30_000);
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // An API answering 4xx is logged by the browser too; the tests check those answers themselves.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`${page.url()}: ${message.text()}`);
    });
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  return {
    context,
    page,
    errors,
    screenshot: async (name, target = page) => {
      const path = join(screenshots, `${name}.png`);
      await ('goto' in target ? target.screenshot({ path, fullPage: true }) : target.screenshot({ path }));
    },
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
      if (!committed) await rm(screenshots, { recursive: true, force: true });
    },
  };
}
