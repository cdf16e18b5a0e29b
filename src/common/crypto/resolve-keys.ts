import type { PersonalDataConfig } from '../../config/app-config';
import type { DataProtectionKeys } from './data-protection';
import { loadOrCreateDevelopmentKeys } from './development-keys';

export interface ResolvedDataProtectionKeys {
  keys: DataProtectionKeys;
  /** The development key file used for what the configuration left unset; undefined when fully configured. */
  developmentKeysPath: string | undefined;
}

/**
 * The configured keys, with development keys from `dataDir` for whatever is
 * unset. The configuration already refused production without both keys.
 */
export function resolveDataProtectionKeys(personalData: PersonalDataConfig, dataDir: string): ResolvedDataProtectionKeys {
  const { encryptionKeys, indexKey } = personalData;
  if (encryptionKeys && indexKey) return { keys: { encryptionKeys, indexKey }, developmentKeysPath: undefined };
  const development = loadOrCreateDevelopmentKeys(dataDir);
  return {
    keys: { encryptionKeys: encryptionKeys ?? development.encryptionKeys, indexKey: indexKey ?? development.indexKey },
    developmentKeysPath: development.path,
  };
}

/** The start-up warning for development keys: loud, because anyone with that file can read the data. */
export function developmentKeysWarning(path: string): string {
  return (
    `DATA_ENCRYPTION_KEYS/DATA_INDEX_KEY not set: personal data is encrypted with DEVELOPMENT keys kept in ${path}. ` +
    'Anyone with that file can read the data. Never use them for real people; set both variables (the server refuses to start without them in production).'
  );
}
