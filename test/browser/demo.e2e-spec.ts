import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { pdf } from '../signing/signing-support';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';
import { Browser, launchChromium } from './chromium';

const STEP_TIMEOUT_MS = 240_000;

/**
 * The file a download saved, read back. Playwright waits for a download to
 * finish without a timeout of its own: bounded here, so that a stuck download
 * fails the step that started it instead of the whole test's time.
 */
async function saved(download: Download): Promise<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the download of ${download.suggestedFilename()} did not finish within 30 s`)), 30_000);
  });
  try {
    return await readFile((await Promise.race([download.path(), stuck]))!);
  } finally {
    clearTimeout(timer);
  }
}

async function download(page: Page, selector: string): Promise<{ name: string; content: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), content: await saved(file) };
}

async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

/**
 * The demo frontend, walked by a person in a real Chromium: the demo's pages
 * on the server, the sandbox's pages standing in for B-Trust's, redirects,
 * webhooks, live status and downloads. Each step leaves a screenshot
 * (docs/screenshots with `npm run screenshots`).
 */
describe('Demo frontend in a real browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ MOBILE_POLL_INITIAL_INTERVAL_MS: '200', MOBILE_POLL_MAX_INTERVAL_MS: '500' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(() => {
    expect(browser.errors).toEqual([]);
  });

  it(
    'starts a mobile identification, shows each invalid field, and follows its status live until the person confirms',
    async () => {
      const { page } = browser;
      await page.goto(`${server.url}/demo`);
      expect(new URL(page.url()).pathname).toBe('/demo/');

      const form = page.locator('#mobile-form');
      await form.locator('[name=identifier]').fill('7805166743');
      await form.locator('[name=email]').fill('not-an-address');
      await form.locator('[name=reason]').fill('');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('#mobile-form .field-error');
      // Every field at once: the EGN's check digit with the others, and a missing reason as required.
      const invalid = await form.locator('.field-error').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-error-for')));
      expect(invalid.sort()).toEqual(['email', 'identifier', 'reason']);
      expect(await form.locator('[aria-invalid=true]').count()).toBe(3);
      expect(await textOf(page, '#mobile-form .field-error[data-error-for=identifier]')).toBe('identifier has a wrong EGN check digit');
      expect(await textOf(page, '#mobile-form .field-error[data-error-for=reason]')).toBe('reason is required');
      await browser.screenshot('01-mobile-validation-errors', page.locator('#mobile'));

      await form.locator('[name=email]').fill('');
      await form.locator('[name=reason]').fill('Opening a savings account');
      await form.locator('[name=identifier]').fill('7805166742');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('#mobile-timeline li');
      expect(await form.locator('.field-error').count()).toBe(0);
      await page.waitForSelector('#mobile-timeline li[data-status=ON_BOARDING], #mobile-timeline li[data-status=IN_PROGRESS]');
      await browser.screenshot('02-mobile-live-status', page.locator('#mobile'));

      // The person confirms in "B-Trust MOBILE": the sandbox's page, in the tab the demo's link opens.
      const link = page.locator('#sandbox-mobile-link');
      expect(await link.getAttribute('href')).toBe(`${server.sandboxPagesUrl}/mobile`);
      const [app] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
      await app.waitForLoadState();
      expect(app.url()).toBe(`${server.sandboxPagesUrl}/mobile`);
      await browser.screenshot('03-sandbox-mobile-app', app);
      await app.locator('tr', { hasText: 'Opening a savings account' }).locator('input[name=fullName]').fill('Ivan Petrov Ivanov');
      await app.locator('tr', { hasText: 'Opening a savings account' }).locator('button', { hasText: 'Approve' }).click();
      await app.close();

      // No reload: the status arrives over the event stream.
      await page.waitForSelector('#mobile-timeline li.final[data-status=COMPLETED]');
      expect(await textOf(page, '#mobile-badge')).toBe('COMPLETED');
      const statuses = await page.locator('#mobile-timeline li').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-status')));
      expect(statuses[0]).toBe('PENDING');
      expect(statuses.at(-1)).toBe('COMPLETED');
      await page.waitForSelector('#mobile-certificate');
      await browser.screenshot('04-mobile-completed', page.locator('#mobile'));

      const certificate = await download(page, '#mobile-certificate');
      expect(certificate.name).toMatch(/^eid-certificate-.+\.pdf$/);
      expect(certificate.content.subarray(0, 5).toString()).toBe('%PDF-');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'identifies by video, signs two uploaded PDFs with a visible signature and downloads them verified',
    async () => {
      const { page } = browser;
      await page.goto(`${server.url}/demo/`);
      await page.locator('#web-form [name=reason]').fill('Signing a loan agreement');
      await page.locator('#web-form button[type=submit]').click();

      // The sandbox's video identification page, standing in for B-Trust's.
      await page.waitForURL(`${server.sandboxPagesUrl}/session/**`);
      await page.locator('input[name=fullName]').fill('Maria Ivanova');
      await page.locator('input[name=egn]').fill('7805166742');
      await browser.screenshot('05-sandbox-video-identification');
      await page.locator('button', { hasText: 'Approve identification' }).click();

      // Back at the demo's result page, which follows the status until the webhook has been processed.
      await page.waitForURL(`${server.url}/demo/identified.html**`);
      await page.waitForSelector('#web-timeline li.final[data-status=IDENTIFIED]');
      await page.waitForSelector('#web-certificate');
      expect(await textOf(page, '#web-outcome')).toBe('The person is identified.');
      const certificate = await download(page, '#web-certificate');
      expect(certificate.content.subarray(0, 5).toString()).toBe('%PDF-');

      const contract = await pdf(1, 'Loan agreement 4711');
      const terms = await pdf(2, 'General terms');
      await page.locator('#signing-files').setInputFiles([
        { name: 'loan-agreement-4711.pdf', mimeType: 'application/pdf', buffer: contract },
        { name: 'general-terms.pdf', mimeType: 'application/pdf', buffer: terms },
      ]);
      await page.locator('[name="documents.0.title"]').fill('Loan agreement 4711');
      await page.locator('[name="documents.1.visible"]').uncheck();
      // A page the contract does not have: refused before anything reaches B-Trust, shown at the field.
      await page.locator('[name="documents.0.visibleSignature.page"]').fill('3');
      await page.locator('#signing-form button[type=submit]').click();
      await page.waitForSelector('#signing-form .field-error[data-error-for="documents.0.visibleSignature.page"]');
      await browser.screenshot('06-identified-and-signing-form');

      await page.locator('[name="documents.0.visibleSignature.page"]').fill('1');
      await page.locator('[name="documents.0.visibleSignature.y"]').fill('720');
      await page.locator('#signing-form button[type=submit]').click();

      // The sandbox's signing page: it shows the SMS code a real person would receive.
      await page.waitForURL(`${server.sandboxPagesUrl}/cqes/**`);
      const smsCode = await textOf(page, '#sms-code');
      await page.locator('input[name=smsCode]').fill(smsCode);
      await browser.screenshot('07-sandbox-signing-page');
      await page.locator('button', { hasText: /^Sign$/ }).click();

      await page.waitForURL(`${server.url}/demo/signed.html**`);
      await page.waitForSelector('#signing-timeline li.final[data-status=SIGNED]');
      await page.waitForSelector('article.document >> nth=1');
      const verdicts = await page.locator('article.document h3').allInnerTexts();
      expect(verdicts).toEqual(['Loan agreement 4711 ✔ signature valid', 'general-terms ✔ signature valid']);
      expect(await page.locator('article.document').first().innerText()).toContain('Maria Ivanova');
      await browser.screenshot('08-signed-and-verified');

      const signedContract = await download(page, 'article.document[data-index="0"] button.download');
      expect(signedContract.name).toBe('loan-agreement-4711-signed.pdf');
      // A PAdES signature is an incremental update: the original bytes, then the signature.
      expect(signedContract.content.subarray(0, contract.length).equals(contract)).toBe(true);
      expect(signedContract.content.length).toBeGreaterThan(contract.length);
      const signedTerms = await download(page, 'article.document[data-index="1"] button.download');
      expect(signedTerms.content.subarray(0, terms.length).equals(terms)).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'sends the pasted access token on every call, the event stream and the download included',
    async () => {
      const secured = await startTestServer({
        AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
        MOBILE_POLL_INITIAL_INTERVAL_MS: '200',
        MOBILE_POLL_MAX_INTERVAL_MS: '500',
      });
      try {
        const { page } = browser;
        await page.goto(`${secured.url}/demo/`);
        await page.locator('#mobile-form button[type=submit]').click();
        await page.waitForSelector('#mobile-form .form-error');
        expect(await textOf(page, '#mobile-form .form-error')).toMatch(/^UNAUTHENTICATED: /);

        await page.locator('details.token summary').click();
        await page.locator('#access-token').fill(await secured.token('alice'));
        await page.locator('#access-token').press('Tab');
        await page.locator('#mobile-form button[type=submit]').click();
        await page.waitForSelector('#mobile-timeline li[data-status=PENDING]');

        const [row] = await secured.app.get(DataSource).query('SELECT id, owner FROM mobile_identifications');
        expect(row.owner).toBe('alice');
        await request(secured.url)
          .get(`/api/v1/mobile-identifications/${row.id}`)
          .set('authorization', `Bearer ${await secured.token('bob')}`)
          .expect(404);

        // This time the person answers through the sandbox's control API.
        const callbackId = await eventually(
          async () => (await secured.app.get(DataSource).query('SELECT provider_callback_id FROM mobile_identifications'))[0].provider_callback_id,
          Boolean,
        );
        await new SandboxControl(secured.sandboxPagesUrl!).post(`/sandbox/mobile-identifications/${callbackId}/complete`);
        await page.waitForSelector('#mobile-timeline li.final[data-status=COMPLETED]');
        const certificate = await download(page, '#mobile-certificate');
        expect(certificate.content.subarray(0, 5).toString()).toBe('%PDF-');
      } finally {
        await secured.stop();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it('serves no demo when DEMO_ENABLED=false', async () => {
    const plain = await startTestServer({ DEMO_ENABLED: 'false' });
    try {
      await request(plain.url).get('/demo/').expect(404);
      await request(plain.url).get('/demo/api.js').expect(404);
    } finally {
      await plain.stop();
    }
    const modules = await request(server.url).get('/demo/api.js').expect(200);
    expect(modules.headers['content-type']).toMatch(/^(text|application)\/javascript/);
  });
});
