import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntitySubscriberInterface, InsertEvent, UpdateEvent } from 'typeorm';
import { blindIndexOf } from './data-protection';

interface IndexedProperty {
  index: string;
  source: string;
  field: string;
}

const INDEXED = new Map<Function, IndexedProperty[]>();

/**
 * Marks a column as the blind index of another property of the same entity:
 * `@BlindIndexOf('identifier', 'mobile_identifications.identifier')`.
 * The index is then written with the value by every insert and update,
 * whichever service writes it, so it can never disagree with the value.
 * Retention may erase the value later and keep the index.
 */
export function BlindIndexOf(source: string, field: string): PropertyDecorator {
  return (prototype, index) => {
    const entity = prototype.constructor;
    INDEXED.set(entity, [...(INDEXED.get(entity) ?? []), { index: String(index), source, field }]);
  };
}

/**
 * Fills `@BlindIndexOf` columns. TypeORM hands subscribers the very object
 * that is about to be written (for `insert`/`update` calls too, unlike
 * entity listeners, which only see entity instances), so setting the index
 * here puts it into the same statement as the value.
 */
@Injectable()
export class BlindIndexSubscriber implements EntitySubscriberInterface {
  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  beforeInsert(event: InsertEvent<Record<string, unknown>>): void {
    fillIndexes(event.metadata.target, event.entity);
  }

  beforeUpdate(event: UpdateEvent<Record<string, unknown>>): void {
    fillIndexes(event.metadata.target, event.entity);
  }
}

function fillIndexes(target: unknown, values: Record<string, unknown> | undefined): void {
  const properties = typeof target === 'function' ? INDEXED.get(target) : undefined;
  if (!properties || !values) return;
  for (const { index, source, field } of properties) {
    const value = values[source];
    // A value erased by retention keeps its index: the audit trail can still find the person's records.
    if (typeof value === 'string') values[index] = blindIndexOf(value, field);
  }
}
