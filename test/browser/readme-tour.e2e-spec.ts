import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { loadAppConfig } from '../../src/config/app-config';
import { sandboxOptionsFromEnv } from '../../src/sandbox/sandbox-config';
import { pdf } from '../signing/signing-support';
import { startTestServer, TestServer } from '../support/test-server';
import { Browser, launchChromium } from './chromium';

const ROOT = resolve(__dirname, '../..');
const TOUR_HEADING = '## The demo in two minutes';

interface TourStep {
  number: number;
  title: string;
  text: string;
  /** Addresses as the README writes them (default ports). */
  urls: string[];
  /** What the README names in italics: the buttons a person presses. */
  buttons: string[];
  /** Names in back-quotes written in capitals: statuses, problem codes, settings. */
  names: string[];
  /** `npm run sandbox:cli -- <args>` lines, as their arguments. */
  cliCommands: string[][];
}

/** The tour as the README tells it: its opening paragraph, then each numbered step. */
function readTour(readme: string): { intro: TourStep; steps: TourStep[] } {
  const start = readme.indexOf(`\n${TOUR_HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${TOUR_HEADING}" section`);
  const section = readme.slice(start + TOUR_HEADING.length + 2).split(/\n## /)[0];
  const parts = section.split(/^(?=\d+\. \*\*)/m);
  const step = (number: number, title: string, text: string): TourStep => ({
    number,
    title,
    text,
    urls: [...text.matchAll(/https?:\/\/localhost:\d+[^\s)`*<>"]*/g)].map(([url]) => url.replace(/[.,;]+$/, '')),
    buttons: [...text.matchAll(/(?<![*\w])\*([^*\n]+)\*(?![*\w])/g)].map(([, name]) => name),
    names: [...text.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name),
    cliCommands: [...text.matchAll(/`npm run sandbox:cli -- ([^`]+)`/g)].map(([, args]) => args.trim().split(/\s+/)),
  });
  const steps = parts.slice(1).map((part) => {
    const [, number, title] = /^(\d+)\. \*\*(.+?)\*\*/.exec(part)!;
    // A step is its item: its later paragraphs are indented; an unindented one follows the list.
    return step(Number(number), title.replace(/\.$/, ''), part.split(/\n\n(?=\S)/)[0]);
  });
  return { intro: step(0, 'intro', parts[0]), steps };
}

/**
 * The README's "demo in two minutes", walked in a real Chromium exactly as
 * written: each step's addresses, buttons, statuses and commands are read
 * from the README, so that the README cannot drift from the product.
 */
describe('The README tour', () => {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const { intro, steps } = readTour(readme);
  let server: TestServer;
  let browser: Browser;
  /** The README's default addresses → where this run's server and sandbox listen. */
  let address: (readmeUrl: string) => string;

  const stepTitled = (title: string): TourStep => {
    const found = steps.find((candidate) => candidate.title === title);
    if (!found) throw new Error(`The README tour has no step "${title}"; it has: ${steps.map((candidate) => candidate.title).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    // Development, as `npm start` runs: the demo is opened at localhost while PUBLIC_BASE_URL says 127.0.0.1.
    server = await startTestServer({ NODE_ENV: 'development', MOBILE_POLL_INITIAL_INTERVAL_MS: '200', MOBILE_POLL_MAX_INTERVAL_MS: '500' });
    browser = await launchChromium();
    const serverPort = new URL(server.url).port;
    const pagesPort = new URL(server.sandboxPagesUrl!).port;
    const defaults = { server: String(loadAppConfig({}).port), pages: String(sandboxOptionsFromEnv({}).pagesPort) };
    address = (readmeUrl) => {
      const url = new URL(readmeUrl);
      if (url.port === defaults.server) url.port = serverPort;
      else if (url.port === defaults.pages) url.port = pagesPort;
      else throw new Error(`The README tour names ${readmeUrl}, on neither the server's default port ${defaults.server} nor the sandbox pages' ${defaults.pages}`);
      return url.toString().replace(/\/$/, readmeUrl.endsWith('/') ? '/' : '');
    };
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  function cli(args: string[]): Promise<string> {
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        [resolve(ROOT, 'bin/btrust-sandbox.js'), ...args],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', SANDBOX_CONTROL_URL: server.sandboxPagesUrl! }, timeout: 30_000 },
        (error, stdout, stderr) => (error ? fail(new Error(`sandbox:cli ${args.join(' ')} failed: ${stderr || error.message}`)) : done(stdout)),
      );
    });
  }

  const button = (page: Page, name: string) => page.locator('button', { hasText: new RegExp(`^${name}$`) });
  const statusShown = (page: Page, list: string, status: string) => page.waitForSelector(`${list} li[data-status=${status}]`);

  it('has the steps the walk below follows, each with what it is checked against', () => {
    expect(steps.map((candidate) => candidate.number)).toEqual(steps.map((_, index) => index + 1));
    expect(intro.urls.map((url) => new URL(url).pathname)).toContain('/demo');
    expect(stepTitled('Be the person').cliCommands.length).toBeGreaterThan(0);
  });

  it(
    'walks every step as the README writes it',
    async () => {
      const { page } = browser;
      const demoUrl = intro.urls.find((url) => new URL(url).pathname === '/demo')!;
      await page.goto(address(demoUrl));
      expect(new URL(page.url()).pathname).toBe('/demo/');
      expect(new URL(page.url()).hostname).toBe('localhost');

      // 1. The form is sent as it is; the server's problem code and its field errors show under each field.
      const start = stepTitled('Start a mobile identification');
      const form = page.locator('#mobile-form');
      await form.locator('[name=identifier]').fill('7805166743');
      await form.locator('[name=reason]').fill('');
      const [refused] = await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/v1/mobile-identifications') && response.request().method() === 'POST'),
        form.locator('button[type=submit]').click(),
      ]);
      expect(start.names).toContain((await refused.json()).code);
      await page.waitForSelector('#mobile-form .field-error[data-error-for=identifier]');
      expect(await form.locator('.field-error').count()).toBeGreaterThanOrEqual(2);

      // 2. After the README's status code, the page follows the events the README names, through the statuses it names.
      const watch = stepTitled('Watch it live');
      await form.locator('[name=identifier]').fill('7805166742');
      await form.locator('[name=reason]').fill('Opening a savings account');
      const eventsPath = /`GET (\/api\/v1\/[^`]+\/events)`/.exec(watch.text)![1].replace('{id}', '[^/]+');
      const [created, events] = await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/v1/mobile-identifications') && response.request().method() === 'POST'),
        page.waitForRequest((candidate) => new RegExp(`${eventsPath}$`).test(new URL(candidate.url()).pathname)),
        form.locator('button[type=submit]').click(),
      ]);
      expect(watch.text).toContain(`\`${created.status()}\``);
      expect(events.method()).toBe('GET');
      for (const status of watch.names) await statusShown(page, '#mobile-timeline', status);

      // 3. The sandbox's B-Trust MOBILE page at the README's address, and the README's command to approve.
      const person = stepTitled('Be the person');
      const app = await browser.context.newPage();
      const appUrl = person.urls.find((url) => new URL(url).pathname === '/mobile')!;
      await app.goto(address(appUrl));
      await app.locator('tr', { hasText: 'Opening a savings account' }).locator('button', { hasText: 'Approve' }).waitFor();
      await app.close();
      for (const args of person.cliCommands) await cli(args);
      for (const status of person.names) await statusShown(page, '#mobile-timeline', status);
      await page.waitForSelector('#mobile-certificate');

      // 4. By video: the README's buttons, back on an allowed origin, the README's status.
      const video = stepTitled('Identify by video');
      const [startWeb, approve] = video.buttons;
      expect(video.names).toContain('ALLOWED_REDIRECT_ORIGINS');
      await button(page, startWeb).click();
      await page.waitForURL(`${server.sandboxPagesUrl}/session/**`);
      await page.locator('input[name=fullName]').fill('Maria Ivanova');
      await page.locator('input[name=egn]').fill('7805166742');
      await button(page, approve).click();
      await page.waitForURL('**/demo/identified.html**');
      expect(server.config.identification.allowedRedirectOrigins).toContain(new URL(page.url()).origin);
      for (const status of video.names.filter((name) => name !== 'ALLOWED_REDIRECT_ORIGINS')) await statusShown(page, '#web-timeline', status);

      // 5. PDFs up as multipart, a visible signature, and a page the PDF does not have refused at the field.
      const sign = stepTitled('Sign PDFs');
      expect(sign.text).toContain('`multipart/form-data`');
      await page.locator('#signing-files').setInputFiles([{ name: 'contract.pdf', mimeType: 'application/pdf', buffer: await pdf(1, 'Contract') }]);
      await page.locator('[name="documents.0.title"]').fill('Contract');
      await page.locator('[name="documents.0.visibleSignature.page"]').fill('3');
      const [upload] = await Promise.all([
        page.waitForRequest((candidate) => candidate.url().endsWith('/signings') && candidate.method() === 'POST'),
        page.locator('#signing-form button[type=submit]').click(),
      ]);
      expect(upload.headers()['content-type']).toMatch(/^multipart\/form-data/);
      await page.waitForSelector('#signing-form .field-error[data-error-for="documents.0.visibleSignature.page"]');
      await page.locator('[name="documents.0.visibleSignature.page"]').fill('1');
      await page.locator('#signing-form button[type=submit]').click();

      // 6. The sandbox's signing page shows the SMS code; typed in, and the README's button.
      const code = stepTitled('Sign with the SMS code');
      await page.waitForURL(`${server.sandboxPagesUrl}/**`);
      await page.locator('input[name=smsCode]').fill((await page.locator('#sms-code').innerText()).trim());
      await button(page, code.buttons.at(-1)!).click();

      // 7. Back at the demo: the README's status, a valid signature, the download.
      const check = stepTitled('Download and check');
      await page.waitForURL('**/demo/signed.html**');
      for (const status of check.names) await statusShown(page, '#signing-timeline', status);
      expect(await page.locator('article.document h3').allInnerTexts()).toEqual(['Contract ✔ signature valid']);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('article.document[data-index="0"] button.download')]);
      expect(download.suggestedFilename()).toBe('contract-signed.pdf');
      expect(browser.errors).toEqual([]);
    },
    300_000,
  );
});
