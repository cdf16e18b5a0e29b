import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * Feature modules register their own readiness checks here (the B-Trust
 * client does), so the health module never needs to know about them.
 */
@Injectable()
export class ReadinessIndicators {
  private readonly indicators: HealthIndicatorFunction[] = [];

  register(indicator: HealthIndicatorFunction): void {
    this.indicators.push(indicator);
  }

  checks(): HealthIndicatorFunction[] {
    return [...this.indicators];
  }
}
