import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsExporter } from './metrics-exporter';

/** Prometheus' scrape target on the main port (used when METRICS_PORT is not set); not part of the frontend API. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly exporter: MetricsExporter) {}

  @Get()
  @UseGuards(MetricsAccessGuard)
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const body = await this.exporter.render();
    void reply.type(this.exporter.contentType);
    return body;
  }
}
