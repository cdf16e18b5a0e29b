import { constants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { ReadinessIndicators } from '../health/readiness-indicators';
import { CasMetrics } from '../metrics/cas-metrics';
import { observeBtrustCalls } from '../metrics/observed-btrust-client';
import { BtrustClient, BtrustClientOptions } from './btrust.client';
import { BtrustPort } from './btrust-port';
import { BtrustConfigurationFaults } from './btrust-configuration-faults';
import { BtrustError } from './btrust.errors';

const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Turns configuration (file paths) into client options (key material read once). */
export function btrustClientOptions(config: ResolvedAppConfig): BtrustClientOptions {
  const { btrust, signing } = config;
  // The largest legal signing's documents in base64, twice over: room for the signatures the provider adds, a bound on a runaway answer.
  const largestSigningBase64 = Math.ceil((signing.maxDocuments * signing.maxDocumentBytes) / 3) * 4;
  const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return {
    baseUrl: btrust.baseUrl,
    relyingPartyId: btrust.relyingPartyId,
    tls: {
      cert: read(btrust.tls.certPath),
      key: read(btrust.tls.keyPath),
      pfx: read(btrust.tls.pfxPath),
      passphrase: btrust.tls.pfxPassphrase,
      ca: read(btrust.tls.caPath),
    },
    timeoutMs: btrust.timeoutMs,
    retry: { maxAttempts: btrust.retryAttempts, initialDelayMs: 200, maxDelayMs: 2_000 },
    breaker: { consecutiveFailures: btrust.breakerThreshold, halfOpenAfterMs: btrust.breakerCooldownMs },
    maxAnswerBytes: Math.min(2 * largestSigningBase64, constants.MAX_LENGTH),
    localTimeZone: btrust.localTimeZone,
    archiveFlagName: btrust.archiveFlagName,
  };
}

/**
 * Owns the client's lifetime: warns about the client certificate's expiry at
 * start, reports the provider in readiness, and closes kept-alive connections.
 */
@Injectable()
class BtrustLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Btrust');

  constructor(
    private readonly client: BtrustClient,
    private readonly faults: BtrustConfigurationFaults,
    private readonly readiness: ReadinessIndicators,
    private readonly indicator: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    const certificate = this.client.clientCertificateInfo();
    if (certificate) {
      const daysLeft = Math.floor((certificate.notAfter.getTime() - Date.now()) / DAY_MS);
      const message = `B-Trust client certificate ${certificate.subject} expires ${certificate.notAfter.toISOString()} (${daysLeft} days)`;
      if (daysLeft <= CERTIFICATE_EXPIRY_WARNING_DAYS) this.logger.warn(`${message}: renew it now`);
      else this.logger.log(message);
    }
    this.readiness.register(() => this.check());
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  /**
   * B-Trust is down for readiness when it cannot be reached or our certificate has expired.
   * Operations it refuses with 401/403 are listed (`refusedOperations`) but leave it up: the
   * other operations, and every read of our own records, still work, and every instance shares
   * the same certificate, so taking them all out of rotation would help nobody. Alert on
   * btrust_cas_btrust_configuration_faults_total instead.
   */
  private async check() {
    const status = this.indicator.check('btrust');
    const certificate = this.client.clientCertificateInfo();
    const details = {
      clientCertificateExpiresAt: certificate?.notAfter.toISOString() ?? null,
      clientCertificateDaysLeft: certificate ? Math.floor((certificate.notAfter.getTime() - Date.now()) / DAY_MS) : null,
      refusedOperations: this.faults.current(),
    };
    if (certificate && certificate.notAfter.getTime() <= Date.now()) {
      return status.down({ ...details, reason: 'CLIENT_CERTIFICATE_EXPIRED' });
    }
    try {
      await this.client.checkReachable();
      return status.up(details);
    } catch (error) {
      return status.down({ ...details, reason: error instanceof BtrustError ? error.code : 'UNKNOWN' });
    }
  }
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: BtrustConfigurationFaults,
      useFactory: () => {
        const logger = new Logger('BtrustAccess');
        return new BtrustConfigurationFaults({ warn: (details, message) => logger.warn(details, message) });
      },
    },
    {
      provide: BtrustClient,
      inject: [APP_CONFIG, CasMetrics, BtrustConfigurationFaults],
      useFactory: (config: ResolvedAppConfig, metrics: CasMetrics, faults: BtrustConfigurationFaults) => {
        const logger = new Logger('BtrustClient');
        const client = new BtrustClient(btrustClientOptions(config), {
          warn: (details, message) => logger.warn(details, message),
          debug: (details, message) => logger.debug(details, message),
        });
        return observeBtrustCalls(client, metrics, faults);
      },
    },
    // The features' view of the same (observed) client.
    { provide: BtrustPort, useExisting: BtrustClient },
    BtrustLifecycle,
  ],
  exports: [BtrustClient, BtrustPort],
})
export class BtrustModule {}
