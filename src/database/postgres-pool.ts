import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * TypeORM's own connection pool, for the hot paths that run one
 * parameterised statement and need no entity mapping: the query building
 * and hydration cost more CPU than the statement itself.
 */
export function postgresPool(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}
