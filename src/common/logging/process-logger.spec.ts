import { createProcessLogger, NestProcessLogger, prettyLine, resolveLogFormat } from './process-logger';

function capture(format: 'json' | 'pretty', colour = false, level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const root = createProcessLogger({ level, format, colour, destination: { write: (line: string) => lines.push(line) } });
  return { nest: new NestProcessLogger(root), lines };
}

describe(NestProcessLogger.name, () => {
  it("writes Nest's messages as JSON lines with their context, and ours with their fields and message", () => {
    const { nest, lines } = capture('json');
    nest.log('Server ready', 'Main');
    nest.warn({ dataDir: '/tmp/x' }, 'lock taken over', 'SandboxStore');
    nest.error('Job failed', 'Error: boom\n    at job (job.ts:1:1)', 'JobQueue');
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map(({ level, context, msg }) => ({ level, context, msg }))).toEqual([
      { level: 30, context: 'Main', msg: 'Server ready' },
      { level: 40, context: 'SandboxStore', msg: 'lock taken over' },
      { level: 50, context: 'JobQueue', msg: 'Job failed' },
    ]);
    expect(records[1].dataDir).toBe('/tmp/x');
    expect(records[2].stack).toContain('at job');
    expect(nest.warningsSoFar()).toHaveLength(1);
  });

  it("moves Nest's wiring chatter (modules, routes) to debug and drops debug lines at info", () => {
    const atInfo = capture('json');
    atInfo.nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    atInfo.nest.log('AppModule dependencies initialized', 'InstanceLoader');
    atInfo.nest.debug('initdb output', 'EmbeddedPostgres');
    expect(atInfo.lines).toEqual([]);

    const atDebug = capture('json', false, 'debug');
    atDebug.nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(JSON.parse(atDebug.lines[0])).toMatchObject({ level: 20, context: 'RouterExplorer', msg: 'Mapped {/health, GET} route' });
  });

  it('redacts personal data in whatever is logged', () => {
    const { nest, lines } = capture('json');
    nest.log({ identifier: '7805166742', request: { email: 'person@example.com' } }, 'flow step', 'Flow');
    expect(lines.join('')).not.toMatch(/7805166742|person@example\.com/);
  });

  it('writes pretty lines for a person, with colour codes only when asked for', () => {
    const plain = capture('pretty');
    plain.nest.warn({ port: 3444 }, 'sandbox pages open', 'LocalServices');
    expect(plain.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[LocalServices\] sandbox pages open port=3444\n$/);

    const coloured = capture('pretty', true);
    coloured.nest.log('ready', 'Main');
    expect(coloured.lines[0]).toContain('\u001b[32mINFO');
  });
});

describe(resolveLogFormat.name, () => {
  it('is pretty only at a terminal in development unless LOG_FORMAT says otherwise', () => {
    expect(resolveLogFormat(undefined, 'development', true)).toBe('pretty');
    expect(resolveLogFormat(undefined, 'development', false)).toBe('json');
    expect(resolveLogFormat(undefined, 'production', true)).toBe('json');
    expect(resolveLogFormat('json', 'development', true)).toBe('json');
    expect(resolveLogFormat('pretty', 'production', false)).toBe('pretty');
  });
});

describe(prettyLine.name, () => {
  it('shows the fields a line carries beyond the usual ones', () => {
    const line = prettyLine(JSON.stringify({ level: 30, time: 0, pid: 1, service: 'btrust-cas', msg: 'request completed', res: { statusCode: 201 } }), false);
    expect(line).toBe('00:00:00.000 INFO  request completed res={"statusCode":201}\n');
  });
});

describe('prettyLine on the start-up summary', () => {
  it('does not repeat a field the message already spells out', () => {
    const line = prettyLine(JSON.stringify({ level: 30, time: 0, context: 'Startup', url: 'http://localhost:3000/demo', msg: 'Demo: http://localhost:3000/demo' }), false);
    expect(line).toBe('00:00:00.000 INFO  [Startup] Demo: http://localhost:3000/demo\n');
  });
});
