import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DataCipher } from '../src/common/crypto/data-cipher';
import type { KeyRing } from '../src/common/crypto/key-ring';
import { ColumnRotation, rotateDataEncryptionKeys } from '../src/database/key-rotation';
import { developmentKeysWarning, resolveDataProtectionKeys } from '../src/common/crypto/resolve-keys';
import { loadAppConfig } from '../src/config/app-config';
import { loadDotEnv } from '../src/config/dot-env';
import { ConfigValidationError } from '../src/config/env-parsers';
import { databaseOptions, EMBEDDED_DATABASE_NAME } from '../src/database/database-options';

/**
 * `npm run keys:rotate`: after a new key was put first in
 * DATA_ENCRYPTION_KEYS (and the servers restarted with that ring), re-encrypts
 * every stored value still under an older key. Safe to run while servers
 * serve traffic, to interrupt and to run again. Prints counts, never data.
 */
export async function rotateKeys(
  dataSource: DataSource,
  encryptionKeys: KeyRing,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ColumnRotation[]> {
  const cipher = new DataCipher(encryptionKeys);
  write(`Re-encrypting personal data to key "${cipher.currentKeyId}"`);
  const results = await rotateDataEncryptionKeys(dataSource, cipher, {
    onProgress: (progress) => write(`  ${progress.table}.${progress.column}: ${progress.reencrypted} re-encrypted so far`),
  });
  for (const result of results) write(`${result.table}.${result.column}: ${result.reencrypted} re-encrypted`);
  write(`Done: ${results.reduce((sum, result) => sum + result.reencrypted, 0)} values re-encrypted; every value is now under "${cipher.currentKeyId}".`);
  write('An old key may leave DATA_ENCRYPTION_KEYS once every server runs with the new ring and this has finished.');
  return results;
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadAppConfig(process.env);
  const { keys, developmentKeysPath } = resolveDataProtectionKeys(config.personalData, config.dataDir);
  if (developmentKeysPath) process.stderr.write(`${developmentKeysWarning(developmentKeysPath)}\n`);
  // Without DATABASE_URL: the embedded database of a running `npm start`, as for the migration commands.
  const url =
    config.database.url ?? `postgres://postgres:postgres@127.0.0.1:${config.database.embedded.port}/${EMBEDDED_DATABASE_NAME}`;
  const dataSource = new DataSource(databaseOptions(url, config.database.connectTimeoutMs));
  await dataSource.initialize();
  try {
    await rotateKeys(dataSource, keys.encryptionKeys);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigValidationError ? error.message : error instanceof Error ? error.stack : String(error);
    process.stderr.write(`Key rotation failed: ${message}\n`);
    process.exit(1);
  });
}
