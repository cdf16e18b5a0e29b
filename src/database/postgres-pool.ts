import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * TypeORM's own connection pool, the one accessor for repositories' hot
 * paths: statements that run once per webhook, poll or paid creation, need
 * no entity mapping, and would spend more CPU in TypeORM's query building,
 * hydration and logging than in PostgreSQL. It shares TypeORM's connections
 * (no second pool to size or close) and gives the driver's own features:
 * named statements that each connection prepares once, and errors that
 * reach the caller without TypeORM logging them as failed queries (a
 * refused rate-limit slot is an expected answer).
 *
 * Only repositories (and src/database) call it; services and handlers speak
 * to the repositories.
 */
export function postgresPool(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}
