import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SMOKE_TIMEOUT_MS = 180_000;

/**
 * The benchmark harness in its smoke mode, as `npm run bench -- --smoke`
 * runs it, so that it cannot rot between full runs. It asserts nothing about
 * speed: only that every scenario ran end to end and was written down.
 */
describe('npm run bench -- --smoke', () => {
  it(
    'runs all five scenarios against a real server, sandbox and database and writes results.json and BENCHMARKS.md',
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'btrust-cas-bench-smoke-'));
      const { code, output } = await new Promise<{ code: number | null; output: string }>((done, fail) => {
        const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'bench/run-benchmarks.ts'), '--smoke', '--out', out], {
          cwd: ROOT,
          // The suite's PostgreSQL (global setup) saves the harness starting one of its own.
          env: { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_ADMIN_URL },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.on('error', fail);
        child.on('exit', (exitCode) => done({ code: exitCode, output: text }));
      });

      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
      expect(results.mode).toBe('smoke');
      expect(Object.keys(results.scenarios).sort()).toEqual(['create', 'memory', 'polling', 'read', 'webhooks']);
      for (const scenario of Object.values<{ key: string; status: string }>(results.scenarios)) {
        expect({ key: scenario.key, status: scenario.status }).toEqual({ key: scenario.key, status: expect.stringMatching(/^(measured|unavailable)$/) });
      }
      const report = await readFile(join(out, 'BENCHMARKS.md'), 'utf8');
      expect(report).toContain('## Targets at a glance');
      expect(report).toContain('Scenario 5');
    },
    SMOKE_TIMEOUT_MS,
  );
});
