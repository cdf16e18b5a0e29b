import { CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * created_at and updated_at, set by TypeORM, for the flow records. A base
 * class rather than an embedded group: createdAt is the sort key of their
 * indexes, keyset pages and views, and keeps that name everywhere.
 */
export abstract class RecordTimestamps {
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
