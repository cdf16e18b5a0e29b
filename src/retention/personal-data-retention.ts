import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { MobileIdentificationRepository } from '../identification/mobile/mobile-identification.repository';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import { SigningRepository } from '../signing/signing.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;

/** A kind of record whose repository erases, in batches, what retention takes from it. */
interface Erasure {
  entityType: string;
  eraseFinishedBefore(cutoff: Date, now: Date, limit: number): Promise<number>;
}

export type RetentionReport = Record<string, number>;

/**
 * Erases personal data that is no longer needed: the encrypted personal
 * fields and documents of records that reached a final state and have not
 * changed for RETENTION_DAYS. Records still in progress are never touched.
 * Each purged record gets `purged_at` and an audit row (cause `retention`,
 * same state before and after, the erased fields in `detail`); states,
 * document hashes and the identifier's blind index stay as evidence. What
 * each kind of record loses, and when it counts as finished, is its
 * repository's erasure statement.
 */
@Injectable()
export class PersonalDataRetention {
  private readonly logger = new Logger(PersonalDataRetention.name);
  private readonly erasures: Erasure[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    mobileIdentifications: MobileIdentificationRepository,
    webIdentifications: WebIdentificationRepository,
    signings: SigningRepository,
  ) {
    this.erasures = [mobileIdentifications, webIdentifications, signings];
  }

  /** Purges everything due at `now`; returns how many records of each kind were purged. */
  async purgeExpired(now: Date = new Date()): Promise<RetentionReport> {
    const cutoff = new Date(now.getTime() - this.config.personalData.retentionDays * DAY_MS);
    const report: RetentionReport = {};
    for (const erasure of this.erasures) {
      report[erasure.entityType] = 0;
      for (;;) {
        const purged = await erasure.eraseFinishedBefore(cutoff, now, BATCH);
        report[erasure.entityType] += purged;
        if (purged < BATCH) break;
      }
    }
    this.logger.log({ retentionDays: this.config.personalData.retentionDays, purged: report }, 'Retention purge finished');
    return report;
  }
}
