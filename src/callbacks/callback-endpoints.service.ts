import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import type { CallbackEndpoint } from './callback-endpoint.entity';
import { CallbackEndpointRepository } from './callback-endpoint.repository';

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
    private readonly endpoints: CallbackEndpointRepository,
  ) {}

  /** Creates an endpoint inside the caller's transaction and returns its URL. */
  async issue(manager: EntityManager, subjectId: string, expiresAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.endpoints.insertWithin(manager, { tokenHash: hashCallbackToken(token), subjectId, expiresAt });
    return `${this.config.publicBaseUrl}${CALLBACK_PATH_PREFIX}${token}`;
  }

  /** The endpoint for a token's hash, unless it is unknown or expired. */
  async resolve(tokenHash: string): Promise<CallbackEndpoint | null> {
    return this.endpoints.findLive(tokenHash);
  }

  /** Signing goes on for as long as the sign session lives, so the endpoint must too. */
  async extend(subjectId: string, until: Date): Promise<void> {
    await this.endpoints.extendUntil(subjectId, until);
  }
}
