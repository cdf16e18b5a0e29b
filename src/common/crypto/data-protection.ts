import { BlindIndex } from './blind-index';
import { DataCipher } from './data-cipher';
import type { KeyRing } from './key-ring';

export interface DataProtectionKeys {
  encryptionKeys: KeyRing;
  indexKey: Buffer;
}

export interface DataProtection {
  cipher: DataCipher;
  blindIndex: BlindIndex;
}

let installed: DataProtection | undefined;

/**
 * TypeORM column transformers are created by decorators when the entity
 * classes load, before any configuration exists, and receive nothing but the
 * value. So the keys live here, once per process, installed at start-up
 * before the database is opened. One process serves one key ring: installing
 * again replaces it (a restart with a rotated ring, or the next test server).
 */
export function installDataProtection(keys: DataProtectionKeys): DataProtection {
  installed = { cipher: new DataCipher(keys.encryptionKeys), blindIndex: new BlindIndex(keys.indexKey) };
  return installed;
}

export function dataProtection(): DataProtection {
  if (!installed) {
    throw new Error('Personal data keys are not installed: DataProtectionModule.forRoot must run before the database is used');
  }
  return installed;
}

/** The blind index of `value` for `field`, under the installed index key. */
export function blindIndexOf(value: string, field: string): string {
  return dataProtection().blindIndex.of(value, field);
}
