import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { CallbackEndpoint } from './callback-endpoint.entity';

const EXTEND_ENDPOINTS_OF_SUBJECT_SQL = 'UPDATE callback_endpoints SET expires_at = GREATEST(expires_at, $2) WHERE subject_id = $1';

/** The callback URLs handed to B-Trust (callback_endpoints), stored by their token's hash; the only writer of its rows. */
@Injectable()
export class CallbackEndpointRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inside the caller's transaction, so that an endpoint exists only for a flow that was created. */
  async insertWithin(manager: EntityManager, endpoint: Pick<CallbackEndpoint, 'tokenHash' | 'subjectId' | 'expiresAt'>): Promise<void> {
    await manager.insert(CallbackEndpoint, endpoint);
  }

  /** The endpoint with this token's hash, unless it is unknown or expired. */
  async findLive(tokenHash: string): Promise<CallbackEndpoint | null> {
    return this.dataSource.getRepository(CallbackEndpoint).findOneBy({ tokenHash, expiresAt: MoreThan(new Date()) });
  }

  /** Moves the expiry of every endpoint of a subject out to `until`, never in. */
  async extendUntil(subjectId: string, until: Date): Promise<void> {
    await this.dataSource.query(EXTEND_ENDPOINTS_OF_SUBJECT_SQL, [subjectId, until]);
  }
}
