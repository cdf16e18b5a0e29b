import { createServer, type Server, type ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem';
import { RequestError, RequestErrorCode } from '../common/problem/request-error';
import { toProblem } from '../common/problem/to-problem';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from './cas-metrics';
import { MetricsExporter } from './metrics-exporter';
import { TransitionCounter } from './transition-counter';

/**
 * Hooks the transition counter into the data source, and serves /metrics on
 * METRICS_PORT when it is set: a listener of its own that a firewall or a
 * Kubernetes NetworkPolicy can keep private, with no token to manage.
 */
@Injectable()
export class MetricsLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private listener: Server | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: CasMetrics,
    private readonly exporter: MetricsExporter,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(new TransitionCounter(this.metrics));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.config.metrics;
    if (port === undefined) {
      if (token === undefined) {
        this.logger.warn('GET /metrics is open to anyone on the main port: set METRICS_TOKEN or METRICS_PORT before exposing this server');
      }
      return;
    }
    this.listener = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        sendProblem(response, new RequestError(RequestErrorCode.NOT_FOUND, 'This listener serves only GET /metrics.'));
        return;
      }
      this.exporter.render().then(
        (body) => {
          response.writeHead(200, { 'content-type': this.exporter.contentType, 'cache-control': 'no-store' });
          response.end(body);
        },
        (error: unknown) => {
          this.logger.error({ err: error }, 'Metrics: rendering failed');
          sendProblem(response, error);
        },
      );
    });
    const listener = this.listener;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.logger.log(`Metrics at http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    listener.closeAllConnections();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}

function sendProblem(response: ServerResponse, error: unknown): void {
  const problem = toProblem(error, {});
  response.writeHead(problem.status, { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE });
  response.end(JSON.stringify(problem.body));
}
