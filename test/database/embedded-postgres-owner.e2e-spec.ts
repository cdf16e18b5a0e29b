import { chmod, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { freePort } from '../support/test-server';

/**
 * Two real `npm start`s on one data folder with the embedded PostgreSQL: the
 * second must see that the first owns it, refuse with a message an operator
 * can act on, and leave the first server's database alone.
 */
describe('The embedded PostgreSQL is owned by one server at a time', () => {
  let first: ServerProcess | undefined;
  let folder: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'btrust-cas-owner-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(folder, 0o755);
    env = {
      EMBEDDED_POSTGRES_DIR: join(folder, 'postgres'),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      SANDBOX_API_PORT: String(await freePort()),
      SANDBOX_PAGES_PORT: String(await freePort()),
      SANDBOX_DATA_DIR: 'memory',
      MOBILE_POLL_INITIAL_INTERVAL_MS: '60000',
    };
  });

  afterAll(async () => {
    await first?.stop('SIGTERM');
  });

  it('refuses a second server on the same data folder, naming the folder and the way out, and the first keeps answering', async () => {
    first = await startServerProcess(env);
    const [lock] = (await readdir(folder)).filter((name) => name.endsWith('.owner.json'));
    expect(JSON.parse(await readFile(join(folder, lock), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const postmasterBefore = await readFile(join(folder, 'postgres', 'postmaster.pid'), 'utf8');

    const refused = await startServerProcess(env).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refused).toContain(`The embedded PostgreSQL in ${join(folder, 'postgres')} belongs to a server that is running (process ${first.child.pid})`);
    expect(refused).toContain('Stop that server first');
    expect(refused).toContain('DATABASE_URL');
    expect(refused).not.toMatch(/\n\s+at /);

    expect(await readFile(join(folder, 'postgres', 'postmaster.pid'), 'utf8')).toBe(postmasterBefore);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
  }, 300_000);

  it('takes the folder over once its owner was killed, stopping only the orphaned postmaster', async () => {
    await first!.stop('SIGKILL');
    const orphan = Number((await readFile(join(folder, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(() => process.kill(orphan, 0)).not.toThrow();

    first = await startServerProcess(env);
    expect(first.output()).toContain(`Stopping an orphaned PostgreSQL (pid ${orphan})`);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
  }, 300_000);
});
