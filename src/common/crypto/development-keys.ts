import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataProtectionKeys } from './data-protection';
import { formatKeyRing, KEY_BYTES, parseKey, parseKeyRing } from './key-ring';

export const DEVELOPMENT_KEYS_FILE = 'data-protection-keys.json';

export interface DevelopmentKeys extends DataProtectionKeys {
  path: string;
  /** True when this call generated the file. */
  created: boolean;
}

/**
 * Keys for development when none are configured: generated once and kept in
 * `<dataDir>/data-protection-keys.json` (mode 0600, in the environment
 * variables' own format, so they can be copied into DATA_ENCRYPTION_KEYS and
 * DATA_INDEX_KEY), so data written by one `npm start` is readable by the next.
 * The configuration refuses production without real keys.
 */
export function loadOrCreateDevelopmentKeys(dataDir: string): DevelopmentKeys {
  const path = join(dataDir, DEVELOPMENT_KEYS_FILE);
  mkdirSync(dataDir, { recursive: true });
  let created = false;
  try {
    const generated = {
      DATA_ENCRYPTION_KEYS: formatKeyRing([{ id: `dev-${randomBytes(4).toString('hex')}`, key: randomBytes(KEY_BYTES) }]),
      DATA_INDEX_KEY: randomBytes(KEY_BYTES).toString('base64'),
    };
    // `wx`: of two processes starting at once, one writes and both read the same file.
    writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { ...readDevelopmentKeys(path), path, created };
}

function readDevelopmentKeys(path: string): DataProtectionKeys {
  const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const ring = parseKeyRing(String(stored.DATA_ENCRYPTION_KEYS ?? ''));
  const index = parseKey(String(stored.DATA_INDEX_KEY ?? ''));
  if (!ring.ok) throw new Error(`${path}: DATA_ENCRYPTION_KEYS ${ring.problem}`);
  if (!index.ok) throw new Error(`${path}: DATA_INDEX_KEY ${index.problem}`);
  return { encryptionKeys: ring.value, indexKey: index.value };
}
