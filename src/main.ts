import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { processLoggingFor } from './common/logging/process-logger';
import { loadAppConfig } from './config/app-config';
import { loadDotEnv } from './config/dot-env';
import { ConfigValidationError } from './config/env-parsers';
import { createApp } from './create-app';
import { EmbeddedPostgresInUseError } from './database/embedded-postgres';
import { provisionLocalServices } from './local-services';
import { startupSummary } from './startup-summary';
// The build emits it next to the compiled server (dist/package.json), so this holds from source and from dist.
import { version } from '../package.json';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadAppConfig(process.env);
  // Before anything logs: the embedded database and the sandbox speak through Nest's Logger too.
  const logging = processLoggingFor(config);
  Logger.overrideLogger(logging.nest);
  const logger = new Logger('Main');
  const services = await provisionLocalServices(config);
  let app;
  try {
    app = await createApp(services.config, { logging });
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await services.stop();
    throw error;
  }
  const summary = startupSummary({
    version,
    configured: config,
    running: services.config,
    warnings: logging.nest.warningsSoFar(),
  });
  for (const line of summary) logging.pino.info({ context: 'Startup', ...line.fields }, line.msg);

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
