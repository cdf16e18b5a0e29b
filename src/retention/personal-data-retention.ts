import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StateMachine } from '../common/state-machine/state-machine';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { webIdentificationMachine } from '../identification/web/web-identification.state';
import { signingMachine } from '../signing/signing.state';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;

/** What retention erases from one kind of record; everything else (states, hashes, ids) stays. */
interface PurgePlan {
  machine: StateMachine<string>;
  table: string;
  /** Encrypted columns set to null, with the field names the audit row lists. */
  columns: Record<string, string>;
  /** Rows of a child table whose columns are erased with their parent. */
  children?: { table: string; foreignKey: string; columns: Record<string, string> };
  /** More conditions for "no longer in use", beyond a final state. */
  alsoFinished?: string;
}

const PLANS: PurgePlan[] = [
  {
    machine: mobileIdentificationMachine,
    table: 'mobile_identifications',
    columns: {
      identifier_encrypted: 'identifier',
      date_of_birth_encrypted: 'dateOfBirth',
      phone_number_encrypted: 'phoneNumber',
      email_encrypted: 'email',
      certificate_pdf_encrypted: 'certificatePdf',
    },
  },
  {
    machine: webIdentificationMachine,
    table: 'web_identifications',
    columns: { eid_certificate_pdf_encrypted: 'eidCertificatePdf' },
    // IDENTIFIED is settled (resting), but its sign session may still sign documents until it expires.
    alsoFinished: `(t.sign_session_expires_at IS NULL OR t.sign_session_expires_at < $2)
      AND NOT EXISTS (SELECT 1 FROM signings s WHERE s.web_identification_id = t.id AND s.status = 'PENDING')`,
  },
  {
    machine: signingMachine,
    table: 'signings',
    columns: {},
    children: {
      table: 'signing_documents',
      foreignKey: 'signing_id',
      columns: { original_encrypted: 'documents.original', signed_encrypted: 'documents.signed', signer_name_encrypted: 'documents.signerName' },
    },
  },
];

export type RetentionReport = Record<string, number>;

/**
 * Erases personal data that is no longer needed: the encrypted personal
 * fields and documents of records that reached a final state and have not
 * changed for RETENTION_DAYS. Records still in progress are never touched.
 * Each purged record gets `purged_at` and an audit row (cause `retention`,
 * same state before and after, the erased fields in `detail`); states,
 * document hashes and the identifier's blind index stay as evidence.
 */
@Injectable()
export class PersonalDataRetention {
  private readonly logger = new Logger(PersonalDataRetention.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Purges everything due at `now`; returns how many records of each kind were purged. */
  async purgeExpired(now: Date = new Date()): Promise<RetentionReport> {
    const cutoff = new Date(now.getTime() - this.config.personalData.retentionDays * DAY_MS);
    const report: RetentionReport = {};
    for (const plan of PLANS) {
      report[plan.machine.entity] = 0;
      for (;;) {
        const purged = await this.purgeBatch(plan, cutoff, now);
        report[plan.machine.entity] += purged;
        if (purged < BATCH) break;
      }
    }
    this.logger.log({ retentionDays: this.config.personalData.retentionDays, purged: report }, 'Retention purge finished');
    return report;
  }

  /**
   * One statement per batch, so a record is erased and audited together or
   * not at all; SKIP LOCKED lets several instances purge side by side and
   * keeps the purge off rows that a poll or webhook is changing right now.
   */
  private async purgeBatch(plan: PurgePlan, cutoff: Date, now: Date): Promise<number> {
    const erase = Object.keys(plan.columns).map((column) => `${column} = NULL, `).join('');
    const fields = [...Object.values(plan.columns), ...Object.values(plan.children?.columns ?? {})];
    const children = plan.children
      ? `, children AS (
           UPDATE ${plan.children.table} c SET ${Object.keys(plan.children.columns).map((column) => `${column} = NULL`).join(', ')}
             FROM purged WHERE c.${plan.children.foreignKey} = purged.id)`
      : '';
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         SELECT t.id FROM ${plan.table} t
          WHERE t.status = ANY($1) AND t.purged_at IS NULL AND t.updated_at < $3
            ${plan.alsoFinished ? `AND ${plan.alsoFinished}` : ''}
          ORDER BY t.updated_at
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED
       ), purged AS (
         UPDATE ${plan.table} t SET ${erase}purged_at = $2 FROM due WHERE t.id = due.id RETURNING t.id, t.status
       )${children}
       INSERT INTO state_transitions (entity_type, entity_id, from_state, to_state, cause, detail)
       SELECT $4, purged.id, purged.status, purged.status, 'retention', $5::jsonb FROM purged
       RETURNING entity_id`,
      [plan.machine.settledStates, now, cutoff, plan.machine.entity, JSON.stringify({ purged: fields })],
    );
    return rows.length;
  }
}
