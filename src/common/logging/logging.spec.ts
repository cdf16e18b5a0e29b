import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS, redactUrlSecrets, requestIdFor } from './logging';
import type { IncomingMessage } from 'node:http';

function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, sink), lines };
}

describe('logging', () => {
  it('redacts national identifiers, contact data and documents at any of the logged depths', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        identifier: '7805166742',
        request: { phoneNumber: '+359888133443', email: 'person@example.com' },
        provider: { data: { contentAsBase64: 'JVBERi0xLjUN' } },
      },
      'flow step',
    );
    const line = lines.join('');
    expect(line).not.toContain('7805166742');
    expect(line).not.toContain('+359888133443');
    expect(line).not.toContain('person@example.com');
    expect(line).not.toContain('JVBERi0xLjUN');
    expect(line).toContain('[REDACTED]');
  });

  it('redacts a signer\'s serial number and name, and the personal-data keys', () => {
    const { logger, lines } = captureLogger();
    const key = Buffer.alloc(32, 5);
    logger.info(
      {
        verification: { signer: { serialNumber: 'PNOBG-7805166742', commonName: 'Signer' } },
        person: { fullName: 'Ivan Petrov Ivanov' },
        personalData: { encryptionKeys: [{ id: 'k1', key }], indexKey: key },
      },
      'flow step',
    );
    const line = lines.join('');
    expect(line).not.toContain('7805166742');
    expect(line).not.toContain('Ivan Petrov');
    expect(line).not.toContain(key.toString('base64'));
    expect(line).not.toMatch(/"data":\[5,5/);
  });

  it('hides the callback token in logged URLs', () => {
    expect(redactUrlSecrets('/callbacks/btrust/abcDEF123?x=1')).toBe('/callbacks/btrust/[REDACTED]?x=1');
    expect(redactUrlSecrets('/api/v1/signings/1')).toBe('/api/v1/signings/1');
  });

  it('keeps a sane X-Request-Id and replaces an unsafe one', () => {
    const offered = { headers: { 'x-request-id': 'trace-123' } } as unknown as IncomingMessage;
    expect(requestIdFor(offered)).toBe('trace-123');
    const unsafe = { headers: { 'x-request-id': 'bad id\nInjected: yes' } } as unknown as IncomingMessage;
    const generated = requestIdFor(unsafe);
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(unsafe)).toBe(generated);
  });
});
