import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OperatorAction } from './operator-action.entity';

/** What one audit row says; the id and time are the database's. */
export type OperatorActionRecord = Pick<OperatorAction, 'actor' | 'action' | 'targetType' | 'targetId' | 'outcome' | 'detail' | 'requestId'>;

/** The operators' audit (operator_actions): rows are only ever inserted, and only here. */
@Injectable()
export class OperatorActionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async append(record: OperatorActionRecord): Promise<void> {
    const repository = this.dataSource.getRepository(OperatorAction);
    await repository.save(repository.create(record));
  }
}
