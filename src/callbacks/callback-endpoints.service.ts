import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CallbackEndpoint } from './callback-endpoint.entity';

export const CALLBACK_PATH_PREFIX = '/callbacks/btrust/';

export function hashCallbackToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The secret URLs handed to B-Trust as `requestCallbackUrl`. The document
 * gives B-Trust no way to sign its webhooks, so an unguessable URL per
 * identification (256 random bits) is what keeps strangers from posting to
 * it, and even a genuine-looking post is only a hint to ask B-Trust.
 */
@Injectable()
export class CallbackEndpointsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Creates an endpoint inside the caller's transaction and returns its URL. */
  async issue(manager: EntityManager, subjectId: string, expiresAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await manager.insert(CallbackEndpoint, { tokenHash: hashCallbackToken(token), subjectId, expiresAt });
    return `${this.config.publicBaseUrl}${CALLBACK_PATH_PREFIX}${token}`;
  }

  /** The endpoint for a token's hash, unless it is unknown or expired. */
  async resolve(tokenHash: string): Promise<CallbackEndpoint | null> {
    return this.dataSource.getRepository(CallbackEndpoint).findOneBy({
      tokenHash,
      expiresAt: MoreThan(new Date()),
    });
  }

  /** Signing goes on for as long as the sign session lives, so the endpoint must too. */
  async extend(subjectId: string, until: Date): Promise<void> {
    await this.dataSource.query(
      'UPDATE callback_endpoints SET expires_at = GREATEST(expires_at, $2) WHERE subject_id = $1',
      [subjectId, until],
    );
  }
}
