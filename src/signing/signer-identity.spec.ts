import { randomBytes } from 'node:crypto';
import { installDataProtection } from '../common/crypto/data-protection';
import { maskSerialNumber, signerIndexOf, signerProblems } from './signer-identity';

describe(signerProblems.name, () => {
  beforeAll(() => {
    installDataProtection({ encryptionKeys: [{ id: 'unit', key: randomBytes(32) }], indexKey: randomBytes(32) });
  });

  it('accepts a natural person identified by personal number, identity card or passport', () => {
    for (const serialNumber of ['PNOBG-7805166742', 'IDCBG-123456789', 'PASDE-C01X00T47']) {
      expect(signerProblems(serialNumber, null)).toEqual([]);
    }
  });

  it('refuses a certificate that is not a natural person\'s', () => {
    expect(signerProblems('NTRBG-201230426', null)).toEqual(['SIGNER_NOT_A_PERSON']);
    expect(signerProblems(null, null)).toEqual(['SIGNER_NOT_A_PERSON']);
    expect(signerProblems('7805166742', null)).toEqual(['SIGNER_NOT_A_PERSON']);
  });

  it('refuses another person than the one who signed before with this identification, compared by blind index', () => {
    const reference = signerIndexOf('PNOBG-7805166742');
    expect(reference).not.toContain('7805166742');
    expect(signerProblems('PNOBG-7805166742', reference)).toEqual([]);
    expect(signerProblems('PNOBG-0041010002', reference)).toEqual(['SIGNER_CHANGED']);
  });

  it('masks the national identifier in a serialNumber but keeps its kind readable', () => {
    expect(maskSerialNumber('PNOBG-7805166742')).toBe('PNOBG-******6742');
    expect(maskSerialNumber('odd')).not.toContain('odd');
  });
});
