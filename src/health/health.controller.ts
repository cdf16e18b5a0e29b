import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator';
import { ReadinessIndicators } from './readiness-indicators';
import { HttpErrorCode } from '../common/problem/http-error';
import { problemHead } from '../common/problem/problem-catalogue';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP.' })
  @ApiOkResponse({ description: 'The process is up.', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  // Documented here rather than by terminus, whose 503 schema is not what the problem filter answers.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: the database answers and every registered dependency (e.g. B-Trust) is reachable.',
  })
  @ApiOkResponse({
    description: 'Every dependency is up.',
    schema: {
      type: 'object',
      example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } },
    },
  })
  @ApiProblemResponses([HttpErrorCode.SERVICE_UNAVAILABLE], {
    // The dependencies that are down are named in `checks`.
    SERVICE_UNAVAILABLE: {
      ...problemHead(HttpErrorCode.SERVICE_UNAVAILABLE),
      checks: { database: { status: 'down' } },
    },
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 3_000 }),
      ...this.readiness.checks(),
    ]);
  }
}
