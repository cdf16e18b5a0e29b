import { randomBytes } from 'node:crypto';
import { installDataProtection } from './data-protection';
import { encryptedBytes, encryptedText, EncryptedColumn } from './encrypted-column';

describe(EncryptedColumn.name, () => {
  beforeAll(() => {
    installDataProtection({ encryptionKeys: [{ id: 'unit', key: randomBytes(32) }], indexKey: randomBytes(32) });
  });

  it('stores text as ciphertext and reads it back', () => {
    const column = encryptedText('mobile_identifications.email');
    const stored = column.to('canary@example.com')!;
    expect(stored.toString('latin1')).not.toContain('canary');
    expect(column.from(stored)).toBe('canary@example.com');
  });

  it('stores bytes as ciphertext and reads them back', () => {
    const column = encryptedBytes('web_identifications.eid_certificate_pdf');
    const pdf = Buffer.from('%PDF-1.7 certificate');
    const stored = column.to(pdf)!;
    expect(stored.includes(pdf)).toBe(false);
    expect(column.from(stored)).toEqual(pdf);
  });

  it('passes null through and leaves an absent value absent', () => {
    const column = encryptedText('mobile_identifications.email');
    expect(column.to(null)).toBeNull();
    expect(column.to(undefined)).toBeUndefined();
    expect(column.from(null)).toBeNull();
  });

  it('refuses a ciphertext of another column', () => {
    const stored = encryptedText('mobile_identifications.email').to('canary@example.com')!;
    expect(() => encryptedText('mobile_identifications.identifier').from(stored)).toThrow(/Cannot decrypt mobile_identifications.identifier/);
  });
});
