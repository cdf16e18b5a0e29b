import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FeatureError } from '../common/problem/feature-error';
import { HttpErrorCode } from '../common/problem/http-error';
import { OperatorAction } from './operator-action.entity';

export type OperatorActionName = 'list' | 'read_audit_trail' | 'refresh' | 'resolve' | 'read_unmatched_documents' | 'download_unmatched_document';

export interface OperatorActionContext {
  actor: string;
  requestId: string | null;
}

export interface OperatorActionTarget {
  action: OperatorActionName;
  targetType: string;
  targetId?: string;
  /** Non-personal facts about the request (filters). */
  detail?: Record<string, unknown>;
}

/**
 * Audits every operator action: the work runs, then one row records who did
 * it, to what, and whether it succeeded (with the problem code when not).
 */
@Injectable()
export class OperatorActionLog {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async audited<T>(
    context: OperatorActionContext,
    target: OperatorActionTarget,
    work: () => Promise<T>,
    outcomeDetail: (result: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.record(context, target, 'failed', { code: error instanceof FeatureError ? error.code : HttpErrorCode.INTERNAL_ERROR });
      throw error;
    }
    await this.record(context, target, 'succeeded', outcomeDetail(result));
    return result;
  }

  private async record(
    context: OperatorActionContext,
    target: OperatorActionTarget,
    outcome: 'succeeded' | 'failed',
    outcomeDetail: Record<string, unknown>,
  ): Promise<void> {
    const detail = { ...target.detail, ...outcomeDetail };
    const repository = this.dataSource.getRepository(OperatorAction);
    await repository.save(repository.create({
      actor: context.actor,
      action: target.action,
      targetType: target.targetType,
      targetId: target.targetId ?? null,
      outcome,
      detail: Object.keys(detail).length > 0 ? detail : null,
      requestId: context.requestId,
    }));
  }
}
