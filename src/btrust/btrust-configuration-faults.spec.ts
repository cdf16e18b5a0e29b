import { BtrustConfigurationFaults, CONFIGURATION_FAULT_LOG_EVERY_MS } from './btrust-configuration-faults';
import { BtrustError } from './btrust.errors';

const refusal = (httpStatus: number) =>
  new BtrustError({ code: 'REJECTED', operation: 'getIdentificationResult', httpStatus, providerCode: 'REJECTED', message: 'x' });

describe(BtrustConfigurationFaults.name, () => {
  let now: number;
  let warn: jest.Mock;
  let faults: BtrustConfigurationFaults;

  beforeEach(() => {
    now = Date.parse('2026-12-01T12:00:00Z');
    warn = jest.fn();
    faults = new BtrustConfigurationFaults({ warn }, () => now);
  });

  it('lists an operation refused with 401/403 with its status and when, until it succeeds again', () => {
    faults.failed('getIdentificationResult', refusal(401));
    now += 1_000;
    faults.failed('getIdentificationResult', refusal(403));
    expect(faults.current()).toEqual([
      {
        operation: 'getIdentificationResult',
        httpStatus: 403,
        providerCode: 'REJECTED',
        firstRefusedAt: '2026-12-01T12:00:00.000Z',
        lastRefusedAt: '2026-12-01T12:00:01.000Z',
        refusals: 2,
      },
    ]);
    faults.succeeded('getIdentificationResult');
    expect(faults.current()).toEqual([]);
  });

  it('ignores every other failure', () => {
    faults.failed('getIdentificationResult', refusal(400));
    faults.failed('getIdentificationResult', refusal(500));
    faults.failed('identification', new BtrustError({ code: 'TIMEOUT', operation: 'identification', message: 'x' }));
    expect(faults.current()).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs each refused operation once per few minutes, with nothing but the operation and the answer', () => {
    for (let i = 0; i < 5; i++) faults.failed('getIdentificationResult', refusal(401));
    faults.failed('startSignSession', refusal(403));
    expect(warn).toHaveBeenCalledTimes(2);
    now += CONFIGURATION_FAULT_LOG_EVERY_MS;
    faults.failed('getIdentificationResult', refusal(401));
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenLastCalledWith(
      { operation: 'getIdentificationResult', httpStatus: 401, providerCode: 'REJECTED', refusals: 6 },
      expect.stringContaining('401/403'),
    );
  });
});
