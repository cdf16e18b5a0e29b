import { eventually } from '../support/sandbox-control';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { freePort } from '../support/test-server';

const ESC = '\u001b';

/**
 * The server as `npm start` runs it, in a child process whose stdout is a
 * pipe (not a terminal), in development mode with the built-in sandbox: what
 * an operator sees in a file or a log collector, byte for byte.
 */
describe('Start-up log', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function start(
    env: Record<string, string> = {},
    options: Parameters<typeof startServerProcess>[1] = {},
  ): Promise<{ server: ServerProcess; lines: string[]; pagesUrl: string }> {
    const pagesPort = await freePort();
    const server = await startServerProcess(
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        DATABASE_URL: database.url,
        SANDBOX_API_PORT: String(await freePort()),
        SANDBOX_PAGES_PORT: String(pagesPort),
        SANDBOX_DATA_DIR: 'memory',
        ...env,
      },
      options,
    );
    // /health answers as soon as the server listens; the summary follows.
    await eventually(
      async () => server.output(),
      (output) => output.includes('Database:'),
      30_000,
    );
    return { server, lines: server.output().split('\n').filter((line) => line !== ''), pagesUrl: `http://localhost:${pagesPort}` };
  }

  it('is JSON lines only, with no colour codes, no debug lines and no route table, and a short summary with every address', async () => {
    const { server, lines, pagesUrl } = await start();
    try {
      const records = lines.map((line) => {
        expect(() => JSON.parse(line)).not.toThrow();
        return JSON.parse(line) as { level: number; context?: string; msg: string };
      });
      expect(server.output()).not.toContain(ESC);
      expect(records.filter((record) => record.level < 30)).toEqual([]);
      expect(records.filter((record) => ['RouterExplorer', 'RoutesResolver', 'InstanceLoader'].includes(record.context ?? ''))).toEqual([]);
      expect(lines.length).toBeLessThan(25);

      const summary = records.filter((record) => record.context === 'Startup').map((record) => record.msg);
      expect(summary).toEqual([
        expect.stringMatching(/^btrust-cas \d+\.\d+\.\d+\S* started in development mode$/),
        `API: ${server.url}/api/v1`,
        `Swagger UI: ${server.url}/docs (OpenAPI document at ${server.url}/docs-json)`,
        `Demo: ${server.url}/demo`,
        expect.stringContaining(`its pages at ${pagesUrl} (B-Trust MOBILE at ${pagesUrl}/mobile)`),
        expect.stringMatching(/^Database: postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/cas_test_/),
        expect.stringMatching(/^\d+ warning\(s\) above: .*BTRUST_BASE_URL is not set/),
      ]);
      // The summary counts the warnings the log printed before it.
      const warnings = records.filter((record) => record.level === 40).length;
      expect(summary.at(-1)).toMatch(new RegExp(`^${warnings} warning`));
    } finally {
      await server.stop();
    }
  }, 150_000);

  it('is lines for a person with LOG_FORMAT=pretty, still without colour codes when no terminal reads them', async () => {
    const { server, lines } = await start({ LOG_FORMAT: 'pretty' });
    try {
      for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (INFO|WARN) /);
      expect(server.output()).not.toContain(ESC);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`INFO {2}\\[Startup\\] Demo: ${server.url}/demo$`)));
    } finally {
      await server.stop();
    }
  }, 150_000);

  it('is what `npm start` prints: the build, then the compiled server with the same summary', async () => {
    // Only what a fresh clone's environment has: no LOG_LEVEL, no LOG_FORMAT, no .env of ours.
    const { server, lines } = await start({ LOG_LEVEL: '' }, { command: ['npm', 'start', '--silent'], startTimeoutMs: 240_000 });
    try {
      const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { context?: string; msg: string });
      const summary = records.filter((record) => record.context === 'Startup').map((record) => record.msg);
      expect(summary).toContain(`Demo: ${server.url}/demo`);
      expect(summary[0]).toMatch(/^btrust-cas \S+ started in development mode$/);
      expect(server.output()).not.toContain(ESC);
      expect(records.filter((record) => record.context === 'RouterExplorer')).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
