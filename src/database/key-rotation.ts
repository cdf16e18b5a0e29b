import type { DataSource } from 'typeorm';
import { DataCipher, headerFor } from '../common/crypto/data-cipher';
import { EncryptedColumn } from '../common/crypto/encrypted-column';

/*
 * The one writer of feature tables outside their repositories, on purpose.
 * Rotation must reach every EncryptedColumn there is, including one added
 * tomorrow: walking the entity metadata guarantees that, where a statement per
 * column in each repository would leave an old key in use the day someone
 * forgets one. So the table, column and key names written into its SQL come
 * only from that metadata (quoted), never from input, and the values it writes
 * are ciphertexts of the same plaintext under the current key: encryption
 * cannot be bypassed through it.
 */

export interface EncryptedColumnLocation {
  table: string;
  column: string;
  /** The field name bound into the ciphertexts (see EncryptedColumn). */
  field: string;
  primaryKey: string[];
}

export interface ColumnRotation extends EncryptedColumnLocation {
  /** Values that were under another key and now are under the current one. */
  reencrypted: number;
}

export interface RotationOptions {
  batchSize?: number;
  /** Called after each batch with counts only. */
  onProgress?: (progress: ColumnRotation) => void;
}

/** Every encrypted column of the data source's entities, found by its transformer. */
export function encryptedColumnsOf(dataSource: DataSource): EncryptedColumnLocation[] {
  return dataSource.entityMetadatas.flatMap((metadata) =>
    metadata.columns
      .filter((column) => column.transformer instanceof EncryptedColumn)
      .map((column) => ({
        table: metadata.tableName,
        column: column.databaseName,
        field: (column.transformer as EncryptedColumn<unknown>).field,
        primaryKey: metadata.primaryColumns.map((primary) => primary.databaseName),
      })),
  );
}

/**
 * Re-encrypts every encrypted value that is not under the cipher's current
 * (first) key. Only such rows are selected, so a second run finds nothing
 * (idempotent) and an interrupted run continues where it stopped
 * (resumable). Batches walk the primary key and commit one at a time; each
 * row is locked while it is rewritten, so a concurrent write by the server
 * (always under the current key) is never overwritten with an older value.
 * Returns counts only, never values.
 */
export async function rotateDataEncryptionKeys(
  dataSource: DataSource,
  cipher: DataCipher,
  options: RotationOptions = {},
): Promise<ColumnRotation[]> {
  const batchSize = options.batchSize ?? 100;
  const currentHeader = headerFor(cipher.currentKeyId);
  const results: ColumnRotation[] = [];
  for (const location of encryptedColumnsOf(dataSource)) {
    const progress: ColumnRotation = { ...location, reencrypted: 0 };
    const column = quote(location.column);
    const keys = location.primaryKey.map(quote);
    let after: unknown[] | undefined;
    for (;;) {
      const parameters: unknown[] = [currentHeader, currentHeader.length, batchSize];
      const keyset = after ? `AND (${keys.join(', ')}) > (${after.map((_, i) => `$${i + 4}`).join(', ')})` : '';
      if (after) parameters.push(...after);
      // Keys only: documents are read one at a time, so a batch of PDFs never sits in memory at once.
      const rows: Array<Record<string, unknown>> = await dataSource.query(
        `SELECT ${keys.join(', ')} FROM ${quote(location.table)}
          WHERE ${column} IS NOT NULL AND substring(${column} FROM 1 FOR $2) <> $1 ${keyset}
          ORDER BY ${keys.join(', ')} LIMIT $3`,
        parameters,
      );
      if (rows.length === 0) break;
      const matchKeys = keys.map((key, i) => `${key} = $${i + 1}`).join(' AND ');
      await dataSource.transaction(async (manager) => {
        for (const row of rows) {
          const keyValues = location.primaryKey.map((key) => row[key]);
          const [locked]: Array<{ value: Buffer | null }> = await manager.query(
            `SELECT ${column} AS value FROM ${quote(location.table)} WHERE ${matchKeys} FOR UPDATE`,
            keyValues,
          );
          // Changed since the batch was listed: erased, or rewritten (always with the current key).
          if (!locked?.value || cipher.keyIdOf(locked.value, location.field) === cipher.currentKeyId) continue;
          const fresh = cipher.encrypt(cipher.decrypt(locked.value, location.field), location.field);
          await manager.query(`UPDATE ${quote(location.table)} SET ${column} = $${keys.length + 1} WHERE ${matchKeys}`, [
            ...keyValues,
            fresh,
          ]);
          progress.reencrypted++;
        }
      });
      const last = rows[rows.length - 1];
      after = location.primaryKey.map((key) => last[key]);
      options.onProgress?.({ ...progress });
    }
    results.push(progress);
  }
  return results;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
