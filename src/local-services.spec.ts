import { startupLogger } from './local-services';

describe(startupLogger.name, () => {
  it('prints start-up warnings at warn and chattier levels, and stays quiet below them', () => {
    const printed: string[] = [];
    const print = { warn: (message: string) => void printed.push(message) };
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const) {
      startupLogger(level, print).warn(level);
    }
    expect(printed).toEqual(['trace', 'debug', 'info', 'warn']);
  });
});
