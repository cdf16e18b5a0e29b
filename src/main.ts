import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from './config/app-config';
import { loadDotEnv } from './config/dot-env';
import { ConfigValidationError } from './config/env-parsers';
import { createApp } from './create-app';
import { EmbeddedPostgresInUseError } from './database/embedded-postgres';
import { provisionLocalServices } from './local-services';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadAppConfig(process.env);
  const logger = new Logger('Main');
  const services = await provisionLocalServices(config);
  let app;
  try {
    app = await createApp(services.config);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await services.stop();
    throw error;
  }
  const docs = config.swaggerEnabled ? `Swagger UI at ${config.publicBaseUrl}/docs` : 'Swagger UI off';
  logger.log(`Server listening on ${config.publicBaseUrl} (${docs})`);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal} received: draining requests and jobs`);
    const deadline = setTimeout(() => {
      logger.error('Shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 15_000);
    deadline.unref();
    try {
      await app.close();
    } finally {
      await services.stop();
    }
    logger.log('Stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: name them, without a stack trace.
  const forOperator = error instanceof ConfigValidationError || error instanceof EmbeddedPostgresInUseError;
  const message = forOperator ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
});
