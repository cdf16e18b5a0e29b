import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** What a log line may say about a statement: which one it was, never what it was given. */
export interface StatementLabel {
  /** The verb and the table it acts on, e.g. `INSERT signing_documents`. */
  statement: string;
  /** The first 12 hex digits of the SHA-256 of the statement text, whitespace folded: the same statement, the same value. */
  fingerprint: string;
}

const VERB = /^\s*(\w+)/;
const TABLE_AFTER = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|FROM|INTO)\s+((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/i;

export function labelStatement(sql: string): StatementLabel {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = (VERB.exec(text)?.[1] ?? 'statement').toUpperCase();
  const table = TABLE_AFTER.exec(text)?.[1]?.replace(/"/g, '');
  return {
    statement: table ? `${verb} ${table}` : verb,
    fingerprint: createHash('sha256').update(text).digest('hex').slice(0, 12),
  };
}

/** PostgreSQL's SQLSTATE (e.g. `23514`), or the driver's code for a connection failure (e.g. `ECONNREFUSED`). */
function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unknown';
}

/**
 * TypeORM's logger, replaced so that no statement's parameters reach a log
 * line: they hold encrypted documents (one failed INSERT logged 37 MB as a
 * JSON byte array) and personal fields. A failed statement is logged as its
 * label and error code only; PostgreSQL's message and detail stay out too,
 * as they can echo a value ("Failing row contains (...)"). TypeORM calls
 * every method whatever its `logging` option says: queries themselves are
 * never logged.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    // Every statement, on the hot path: not worth a line at any level.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error({ ...labelStatement(query), code: errorCode(error) }, 'A database statement failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ...labelStatement(query), durationMs: time }, 'A database statement was slow');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
