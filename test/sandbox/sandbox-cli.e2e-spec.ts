import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { builtSources } from '../support/built-sources';
import { freePort } from '../support/test-server';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxWire, WebhookReceiver, WireSandbox, samplePdf, startWireSandbox } from '../support/sandbox-wire';
import { portOf } from '../support/standalone-sandbox';

const BIN = resolve(__dirname, '../../bin/btrust-sandbox.js');

/**
 * The command line as an installed package holds it: the same bin beside a
 * build and no sources, so it runs the built code. From the sources every
 * run would load the TypeScript compiler first (about a second each, on a
 * busy machine several); the tests run it some sixty times, and once from
 * the sources (the first test).
 */
async function installedBin(): Promise<string> {
  const installed = await mkdtemp(join(tmpdir(), 'sandbox-cli-installed-'));
  await mkdir(join(installed, 'bin'));
  await copyFile(BIN, join(installed, 'bin', 'btrust-sandbox.js'));
  await symlink(builtSources(), join(installed, 'dist'));
  return join(installed, 'bin', 'btrust-sandbox.js');
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The sandbox's command line, run as a child process through its bin (from
 * the sources as a developer runs it, and as installed), against a sandbox
 * running in this process; what each command did is checked on the
 * provider's API over mutual TLS.
 */
describe('btrust-sandbox (the sandbox command line)', () => {
  let sandbox: RunningSandbox;
  let control: SandboxControl;
  let wire: SandboxWire;
  let webhooks: WebhookReceiver;
  let cwd: string;
  let running: WireSandbox;
  let bin: string;

  beforeAll(async () => {
    bin = await installedBin();
    running = await startWireSandbox();
    ({ sandbox, control, wire, webhooks, dir: cwd } = running);
  });

  afterAll(() => running?.stop());

  afterEach(() => control.reset());

  /**
   * Runs the command line (installed, unless `from` is 'sources') in a folder of its own (no .env of the project's),
   * aimed at the test's sandbox unless `env` says otherwise.
   */
  function cli(
    args: string[],
    env: Record<string, string> = { SANDBOX_CONTROL_URL: sandbox.pagesBaseUrl },
    directory = cwd,
    from: 'installed' | 'sources' = 'installed',
  ): Promise<CliRun> {
    return new Promise((done) => {
      execFile(process.execPath, [from === 'sources' ? BIN : bin, ...args], { cwd: directory, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      });
    });
  }

  async function identified(token: string) {
    const flow = await wire.startWeb(webhooks.url(token));
    await control.post(`/sandbox/web-identifications/${flow.webSessionId}/approve`);
    const metadata = (await wire.webResult(flow.resultId, flow.webSessionId, true)).json.data;
    return { ...flow, clientIdentificator: metadata.clientIdentificator as string, signSessionId: metadata.signSessionId as string };
  }

  describe('help and usage', () => {
    it('prints its commands with --help and exits 0; with no command it prints them on stderr and exits 2 (from the sources and installed alike)', async () => {
      const help = await cli(['--help'], undefined, undefined, 'sources');
      expect(help.code).toBe(0);
      for (const command of ['list', 'mobile', 'web', 'signing', 'webhook', 'faults', 'readings']) expect(help.stdout).toContain(`  ${command} `);
      expect(help.stdout).toContain('Exit codes: 0 done; 1 the sandbox refused');
      const bare = await cli([], undefined, undefined, 'sources');
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain('Usage: btrust-sandbox <command>');
      expect(await cli(['--help'])).toEqual(help);
      expect(await cli([])).toEqual(bare);
    });

    it.each([
      ['list', '--all'],
      ['mobile', 'alias: complete'],
      ['web', '--decision ALLOWED|DENIED'],
      ['signing', 'sign'],
      ['webhook', 'repeat'],
      ['faults', 'tamper-flip-byte'],
      ['readings', 'rejectedStatus = 400 | 401 | 403 | 404 | 500'],
    ])('has a help of its own for %s (`<command> --help`, or `help <command>`)', async (command, text) => {
      const run = await cli(command === 'web' ? ['help', 'web'] : [command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: btrust-sandbox ${command}`);
      expect(run.stdout).toContain(text);
    });

    it.each([
      [['launch'], 'Unknown command "launch"'],
      [['list', '--colour'], 'Unknown option --colour'],
      [['web', 'review'], '--decision is required: ALLOWED or DENIED'],
      [['web', 'fail', '--step', 'OTP'], '--step must be WEB_IDV_REGISTRATION_FAILED or UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED'],
      [['mobile', 'dance'], 'Unknown action "dance"'],
      [['signing', 'sign', 'abc'], "A signing's resultId is a number"],
      [['readings', 'set', 'rejectedStatus=418'], 'Not a reading: reading rejectedStatus must be one of 400, 401, 403, 404, 500'],
      [['readings', 'set'], 'readings set needs name=value pairs'],
      [['faults', 'set', '--count', 'x', 'identification', 'http500'], '--count must be a whole number'],
    ])('refuses %j with exit 2 and says why', async (args, message) => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    });

    it('exits 3 and says what to check when the sandbox cannot be reached', async () => {
      const run = await cli(['list'], { SANDBOX_CONTROL_URL: `http://127.0.0.1:${await freePort()}` });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain("Cannot reach the sandbox's control API at http://127.0.0.1:");
      expect(run.stderr).toContain('SANDBOX_CONTROL_URL');
    });

    it('finds the sandbox from SANDBOX_HOST and SANDBOX_PAGES_PORT, also in the working folder’s .env', async () => {
      const port = String(portOf(sandbox.pagesBaseUrl));
      expect((await cli(['list'], { SANDBOX_HOST: '0.0.0.0', SANDBOX_PAGES_PORT: port })).code).toBe(0);
      const withDotEnv = await mkdtemp(join(tmpdir(), 'sandbox-cli-env-'));
      await writeFile(join(withDotEnv, '.env'), `SANDBOX_HOST=127.0.0.1\nSANDBOX_PAGES_PORT=${port}\n`);
      const run = await cli(['--help'], {}, withDotEnv);
      expect(run.stdout).toContain(`(now http://127.0.0.1:${port})`);
      expect((await cli(['list'], {}, withDotEnv)).code).toBe(0);
      expect((await cli(['--help'], {})).stdout).toContain('(now http://localhost:3444)');
    });
  });

  describe('records', () => {
    it('lists the open records newest first, and every record with --all', async () => {
      const mobile = (await wire.startMobile()).json.data.callbackId as string;
      const web = await wire.startWeb(webhooks.url('cli-list'));
      const run = await cli(['list']);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^KIND\s+ID\s+STATE\s+CREATED\s+DETAILS$/);
      expect(lines[1]).toMatch(new RegExp(`^web\\s+${web.webSessionId}\\s+REGISTERED\\s+.*resultId ${web.resultId}, registration STARTED`));
      expect(run.stdout).toMatch(new RegExp(`mobile\\s+${mobile}\\s+CREATED`));

      await control.post(`/sandbox/mobile-identifications/${mobile}/reject`);
      expect((await cli(['list'])).stdout).not.toContain(mobile);
      expect((await cli(['list', '--all'])).stdout).toMatch(new RegExp(`mobile\\s+${mobile}\\s+REJECTED`));
      const json = JSON.parse((await cli(['list', '--json'])).stdout);
      expect(json.webIdentifications.map((record: { webSessionId: string }) => record.webSessionId)).toContain(web.webSessionId);
      expect(json.mobileIdentifications.map((record: { callbackId: string }) => record.callbackId)).not.toContain(mobile);
    });

    it('approves the latest open mobile identification by default, and rejects one by id', async () => {
      const older = (await wire.startMobile()).json.data.callbackId as string;
      const latest = (await wire.startMobile()).json.data.callbackId as string;
      const approved = await cli(['mobile', 'approve']);
      expect(approved).toMatchObject({ code: 0, stdout: `mobile identification ${latest}: FINISHED\n` });
      expect((await wire.pollMobile(latest)).json.status).toBe('FINISHED');

      expect((await cli(['mobile', 'reject', older])).stdout).toBe(`mobile identification ${older}: REJECTED\n`);
      expect((await wire.pollMobile(older)).json.code).toBe('REJECTED');

      const again = await cli(['mobile', 'reject', older]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('HTTP 409');
      const unknown = await cli(['mobile', 'expire', 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('HTTP 404');
    });

    it('says so, with exit 1, when there is no record to act on', async () => {
      const state = await control.state();
      for (const record of state.signings.filter((signing) => signing.state === 'PENDING')) await control.post(`/sandbox/signings/${record.resultId}/expire`);
      const run = await cli(['signing', 'sign']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('No pending signing. Start one first, or give its resultId.');
    });

    it('drives a video identification: approve, review, deny and fail', async () => {
      const approvedFlow = await wire.startWeb(webhooks.url('cli-web'));
      const approved = await cli(['web', 'approve', '--full-name', 'Maria Ivanova']);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`web identification ${approvedFlow.webSessionId} (resultId ${approvedFlow.resultId}): IDENTIFIED, registration FINALIZED, review ALLOW_DENY`);
      expect((await wire.webResult(approvedFlow.resultId, approvedFlow.webSessionId)).status).toBe(200);

      const denied = await cli(['web', 'deny']);
      expect(denied.stdout).toContain(`${approvedFlow.webSessionId} (resultId ${approvedFlow.resultId}): DENIED, registration REJECTED, review DENIED`);

      await control.setReadings({ review: 'manual' });
      const reviewed = await wire.startWeb(webhooks.url('cli-review'));
      expect((await cli(['video', 'approve', reviewed.webSessionId])).stdout).toContain('UNDER_REVIEW, registration COMPLETED, review FINALIZE_REJECT');
      expect((await cli(['web', 'review', '--decision', 'ALLOWED'])).stdout).toContain('IDENTIFIED, registration FINALIZED, review ALLOWED');
      expect((await wire.registrationStatus(reviewed.registrationId)).json.reviewStatus).toBe('ALLOWED');

      const failing = await wire.startWeb(webhooks.url('cli-fail'));
      const failed = await cli(['web', 'fail', failing.webSessionId, '--step=UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', '--registration-status', 'REJECTED']);
      expect(failed.stdout).toContain('FAILED, registration REJECTED');
      expect((await wire.webStatus(failing.resultId)).json.data.step).toBe('UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED');
    });

    it('signs the latest pending signing, and expires one by id', async () => {
      const person = await identified('cli-sign');
      const started = await wire.startSigning(person.clientIdentificator, person.signSessionId, [{ fileName: 'a.pdf', content: await samplePdf('cli') }]);
      const resultId = started.json.data.resultId as number;
      expect(await cli(['signing', 'sign'])).toMatchObject({ code: 0, stdout: `signing ${resultId}: SIGNED\n` });
      expect((await wire.signedDocuments(resultId, person.signSessionId)).status).toBe(200);

      const other = await identified('cli-expire');
      const pending = await wire.startSigning(other.clientIdentificator, other.signSessionId, [{ fileName: 'b.pdf', content: await samplePdf('cli 2') }]);
      expect((await cli(['signing', 'expire', String(pending.json.data.resultId)])).stdout).toBe(`signing ${pending.json.data.resultId}: EXPIRED\n`);
    });
  });

  describe('webhooks, faults and readings', () => {
    it('sends, repeats and lists webhooks', async () => {
      const flow = await wire.startWeb(webhooks.url('cli-webhook'));
      const sent = await cli(['webhook', 'send', '--web-session', flow.webSessionId, '--process-state', 'REGIX']);
      expect(sent.code).toBe(0);
      const requestId = Number(/^webhook (\d+): REGIX, code OK/.exec(sent.stdout)?.[1]);
      expect(requestId).toBeGreaterThan(0);
      expect((await cli(['webhook', 'repeat', '--request-id', String(requestId)])).stdout).toContain(`webhook ${requestId}: REGIX`);
      const received = await webhooks.waitFor('cli-webhook', 2);
      expect(received.map((body) => [body.requestId, body.data.processState])).toEqual([
        [requestId, 'REGIX'],
        [requestId, 'REGIX'],
      ]);
      const listed = await cli(['webhook', 'list']);
      expect(listed.stdout).toMatch(new RegExp(`requestId ${requestId}  REGIX  delivered 204  /callbacks/cli-webhook`));

      const latest = await cli(['webhook', 'send', '--json']);
      expect(JSON.parse(latest.stdout).sent.data).toMatchObject({ processState: 'START_WEB_SESSION', resultId: String(flow.resultId) });
    });

    it('sets, lists and clears faults', async () => {
      expect((await cli(['faults', 'set', 'getIdentificationResult', 'http500', '--count', '2'])).stdout).toBe(
        'The next 2 call(s) of getIdentificationResult fail with http500.\n',
      );
      expect((await cli(['faults', 'list'])).stdout).toBe('getIdentificationResult  http500  2 more call(s)\n');
      expect((await wire.pollMobile('any')).status).toBe(500);
      expect((await cli(['faults', 'clear'])).stdout).toBe('All faults disarmed.\n');
      expect((await wire.pollMobile('any')).status).toBe(404);
      const refused = await cli(['faults', 'set', 'identification', 'tamper-append']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('tamper faults apply to getSignedDocuments only');
    });

    it('shows, sets and resets readings, sandbox-wide and per record', async () => {
      const shown = await cli(['readings', 'show']);
      expect(shown.stdout).toContain('Sandbox-wide readings:');
      expect(shown.stdout).toMatch(/rejectedStatus\s+400\n/);

      const set = await cli(['readings', 'set', 'rejectedStatus=500', 'dates=compact']);
      expect(set.stdout).toMatch(/rejectedStatus\s+500 {3}\(default 400\)/);
      expect(await control.readings()).toMatchObject({ rejectedStatus: 500, dates: 'compact' });
      expect((await wire.startMobile()).json.data.validity).toMatch(/\+0000$/);

      const callbackId = (await wire.startMobile()).json.data.callbackId as string;
      const own = await cli(['readings', 'set', 'rejectedStatus=403', '--mobile', 'latest']);
      expect(own.stdout).toContain(`Readings of mobile ${callbackId}:`);
      await control.post(`/sandbox/mobile-identifications/${callbackId}/reject`);
      expect((await wire.pollMobile(callbackId)).status).toBe(403);
      expect((await cli(['readings', 'reset', '--mobile', callbackId])).stdout).toMatch(/rejectedStatus\s+500/);

      expect((await cli(['readings', 'reset'])).stdout).toMatch(/rejectedStatus\s+400\n/);
      expect((await control.readings()).rejectedStatus).toBe(400);
    });
  });
});
