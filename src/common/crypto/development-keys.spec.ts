import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevelopmentKeys } from './development-keys';

describe(loadOrCreateDevelopmentKeys.name, () => {
  it('generates the keys once, in a file only the owner can read, and reuses them', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dev-keys-')), 'nested');
    const first = loadOrCreateDevelopmentKeys(dataDir);
    const second = loadOrCreateDevelopmentKeys(dataDir);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(second.encryptionKeys[0].id).toBe(first.encryptionKeys[0].id);
    expect(second.encryptionKeys[0].key).toEqual(first.encryptionKeys[0].key);
    expect(second.indexKey).toEqual(first.indexKey);
    expect(first.encryptionKeys[0].key).toHaveLength(32);
    expect(first.indexKey).not.toEqual(first.encryptionKeys[0].key);
  });

  it('gives another data directory other keys', () => {
    const one = loadOrCreateDevelopmentKeys(mkdtempSync(join(tmpdir(), 'dev-keys-')));
    const other = loadOrCreateDevelopmentKeys(mkdtempSync(join(tmpdir(), 'dev-keys-')));
    expect(other.encryptionKeys[0].key).not.toEqual(one.encryptionKeys[0].key);
  });
});
