import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProblemDocument, StoredProblem } from '../problem/problem';
import { toProblem } from '../problem/to-problem';
import { IdempotencyError, IdempotencyErrorCode } from './idempotency.errors';

export interface StoredResponse {
  status: number;
  body: unknown;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const WAIT_FOR_FIRST_MS = 30_000;
const WAIT_STEP_MS = 100;

/**
 * Implements the `Idempotency-Key` header for paid POSTs: the first request
 * with a key does the work and its answer is stored; a repeat with the same
 * body gets that answer (waiting if the first is still running), a repeat with
 * another body is refused. The row is claimed with an atomic insert, so
 * concurrent repeats on any server instance never start a second provider call.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run(
    owner: string,
    scope: string,
    key: string | undefined,
    requestBody: unknown,
    work: () => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    if (key === undefined) return work();
    if (!KEY_FORMAT.test(key)) {
      throw new IdempotencyError(
        IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY,
        'The Idempotency-Key header must be 1 to 255 printable ASCII characters.',
      );
    }
    const scopedKey = `${scope}:${key}`;
    const requestHash = hashBody(requestBody);

    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (owner, key) DO NOTHING RETURNING key`,
      [owner, scopedKey, requestHash],
    );
    if (claimed.length === 0) return this.replay(owner, scopedKey, requestHash);

    let response: StoredResponse;
    try {
      response = await work();
    } catch (error) {
      const problem = toProblem(error, {});
      if (problem.unexpected) {
        // Nothing trustworthy to replay: free the key so the client can retry.
        await this.dataSource.query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2', [owner, scopedKey]);
        throw error;
      }
      await this.store(owner, scopedKey, { status: problem.status, body: { ...problem.body, requestId: undefined } });
      throw error;
    }
    await this.store(owner, scopedKey, response);
    return response;
  }

  private async store(owner: string, key: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE owner = $1 AND key = $2',
      [owner, key, response.status, JSON.stringify(response.body)],
    );
  }

  private async replay(owner: string, key: string, requestHash: string): Promise<StoredResponse> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const rows: Array<{ request_hash: string; response_status: number | null; response_body: unknown }> =
        await this.dataSource.query(
          'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE owner = $1 AND key = $2',
          [owner, key],
        );
      const row = rows[0];
      if (row && row.request_hash !== requestHash) {
        throw new IdempotencyError(
          IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was first used with a different request body. Use a new key for a new request.',
        );
      }
      if (row?.response_status != null) {
        if (row.response_status >= 400) throw new StoredProblem(row.response_status, row.response_body as ProblemDocument);
        return { status: row.response_status, body: row.response_body };
      }
      if (!row || Date.now() > deadline) {
        throw new IdempotencyError(
          IdempotencyErrorCode.IDEMPOTENCY_IN_PROGRESS,
          'Retry the same request in a moment.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }
}

/** Key order must not matter: `{a,b}` and `{b,a}` are the same request. */
export function hashBody(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
