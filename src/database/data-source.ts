import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config';
import { loadDotEnv } from '../config/dot-env';
import { databaseOptions, EMBEDDED_DATABASE_NAME } from './database-options';

/**
 * Standalone data source for the TypeORM CLI (`npm run migration:*`). With no
 * DATABASE_URL it targets the embedded PostgreSQL of a running `npm start`.
 */
loadDotEnv();
const config = loadAppConfig(process.env);
const url =
  config.database.url ??
  `postgres://postgres:postgres@127.0.0.1:${config.database.embedded.port}/${EMBEDDED_DATABASE_NAME}`;

export default new DataSource(databaseOptions(url, config.database.connectTimeoutMs));
