import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtEntry } from './built-sources';
import { eventually } from './sandbox-control';
import { freePort } from './test-server';
import { TEST_CONNECT_TIMEOUT_MS } from './test-database';

const ROOT = resolve(__dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The server's entry point run as `npm start` runs it, in a child process,
 * for tests that capture every byte it writes or that kill it: from the
 * sources transpiled once per run (built-sources.ts), unless `command` says
 * otherwise. Resolves once `/health` answers.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { command?: string[]; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const [command, ...args] = options.command ?? [process.execPath, builtEntry('src/main.ts')];
  // A command such as `npm start` runs the server as its own child: a process group of its own lets stop() reach both.
  const group = options.command !== undefined;
  const child = spawn(command, args, {
    detached: group,
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      DATABASE_CONNECT_TIMEOUT_MS: String(TEST_CONNECT_TIMEOUT_MS),
      DATA_DIR: await mkdtemp(join(tmpdir(), 'btrust-cas-process-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // `npm start` compiles the server first: on a busy machine that alone takes most of a minute.
  await eventually(
    () => fetch(`${url}/health`).then((response) => response.status, () => (child.exitCode === null ? 0 : -1)),
    (status) => status === 200 || status === -1,
    options.startTimeoutMs ?? 90_000,
  );
  if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode} before answering /health:\n${output}`);
  return {
    url,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        if (group) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      await exited;
    },
  };
}
