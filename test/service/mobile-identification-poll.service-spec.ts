import { randomUUID } from 'node:crypto';
import type { BtrustError } from '../../src/btrust/btrust.errors';
import type { AnswerClass } from '../../src/btrust/btrust-reading-policy';
import type { MobileIdentificationResult } from '../../src/btrust/btrust.types';
import { toMobileIdentificationResult } from '../../src/btrust/wire/mobile-identification.wire';
import type { CreateMobileIdentificationDto } from '../../src/identification/mobile/dto/create-mobile-identification.dto';
import { MobileIdentificationPollScheduler } from '../../src/identification/mobile/mobile-identification-poll.scheduler';
import { MobileIdentificationRepository } from '../../src/identification/mobile/mobile-identification.repository';
import { MobileIdentificationsService } from '../../src/identification/mobile/mobile-identifications.service';
import { noAnswer, providerAnswered, type ScriptedAnswer } from '../support/fake-btrust-client';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { useServiceModule } from '../support/service-module';

const OWNER = 'owner-of-the-polls';
const GRACE_MS = 60_000;
const CERTIFICATE_ATTEMPTS = 2;
const POLL = 'getIdentificationResult';
const OPEN = ['PENDING', 'ON_BOARDING', 'IN_PROGRESS'];

type PollAnswer = ScriptedAnswer<typeof POLL>;

/** A 206 of 1.2 with this status, as the client reads it. */
const pending = (providerStatus: string | null): MobileIdentificationResult =>
  toMobileIdentificationResult({ operation: POLL, httpStatus: 206, body: providerStatus === null ? {} : { status: providerStatus } });
const finished = (certificatePdf: Buffer | null): MobileIdentificationResult => ({
  state: 'DONE',
  providerStatus: 'FINISHED',
  certificatePdf,
  identificationBefore: 'Relying party',
  identificationReason: 'Opening an account',
  identificator: certificatePdf ? 'eid-identificator-1' : null,
});
const CERTIFICATE = Buffer.from('%PDF-1.7 eID certificate');

/** Failures of 1.2 as the client throws them, with the class the reading policy gives each. */
const FAILURES: Array<[string, BtrustError, AnswerClass]> = [
  ['400 REJECTED', providerAnswered(POLL, 400, 'REJECTED'), 'DEFINITIVE'],
  ['404 NOT_FOUND', providerAnswered(POLL, 404, 'NOT_FOUND'), 'NOT_YET'],
  ['400 without REJECTED', providerAnswered(POLL, 400, 'BAD_REQUEST'), 'NOT_YET'],
  ['500', providerAnswered(POLL, 500, 'ERROR'), 'TRANSIENT'],
  ['503', providerAnswered(POLL, 503), 'TRANSIENT'],
  ['a timeout', noAnswer(POLL, 'ETIMEDOUT', true), 'TRANSIENT'],
  ['a refused connection', noAnswer(POLL, 'ECONNREFUSED', false), 'TRANSIENT'],
  ['401', providerAnswered(POLL, 401, 'REJECTED'), 'CONFIGURATION_FAULT'],
  ['403', providerAnswered(POLL, 403), 'CONFIGURATION_FAULT'],
];
const failuresOf = (...classes: AnswerClass[]) => FAILURES.filter(([, , answerClass]) => classes.includes(answerClass));
/** Named answers, pending ones and failures alike, for the tables whose rows differ only in the answer. */
const answersOf = (...rows: Array<[string, PollAnswer, ...unknown[]]>): Array<[string, PollAnswer]> => rows.map(([name, answer]) => [name, answer]);

interface Row {
  status: string;
  failure_code: string | null;
  poll_count: number;
  eid_certificate_misses: number;
  next_poll_at: Date | null;
  provider_status: string | null;
  poll_claimed_until: Date | null;
}

/**
 * The poll of scenario 1.2 (MobileIdentificationsService) on every branch,
 * against a real PostgreSQL, with B-Trust faked at the port: what each answer
 * does to the record before the deadline, after it, and at the last ask.
 */
describe(MobileIdentificationsService.name, () => {
  const tier = useServiceModule({
    providers: [MobileIdentificationsService, MobileIdentificationRepository, MobileIdentificationPollScheduler],
    env: {
      BTRUST_DEADLINE_GRACE_MS: String(GRACE_MS),
      EID_CERTIFICATE_FETCH_ATTEMPTS: String(CERTIFICATE_ATTEMPTS),
      MOBILE_POLL_INITIAL_INTERVAL_MS: '1000',
      MOBILE_POLL_MAX_INTERVAL_MS: '5000',
    },
  });
  const service = () => tier.get(MobileIdentificationsService);
  beforeEach(() => tier.btrust.reset());

  /** A mobile identification B-Trust accepted, whose deadline is `deadlineInMs` from now (negative: passed). */
  async function opened(deadlineInMs: number): Promise<{ id: string; callbackId: string }> {
    const callbackId = randomUUID();
    tier.btrust.answerNext('identification', { callbackId, validUntil: new Date(Date.now() + deadlineInMs) });
    const created = await service().create(OWNER, { ...VALID_MOBILE_REQUEST } as CreateMobileIdentificationDto, 'bg');
    return { id: created.id, callbackId };
  }

  async function poll(id: string, ...answers: PollAnswer[]): Promise<Row> {
    tier.btrust.answerNext(POLL, ...answers);
    for (let asked = 0; asked < answers.length; asked++) await service().pollOnce(id);
    return row(id);
  }

  async function row(id: string): Promise<Row> {
    const [found]: Row[] = await tier.dataSource.query(
      `SELECT status, failure_code, poll_count, eid_certificate_misses, next_poll_at, provider_status, poll_claimed_until
         FROM mobile_identifications WHERE id = $1`,
      [id],
    );
    return found;
  }

  describe('before the deadline', () => {
    it('keeps a pending identification open, follows its progress, and schedules the next poll', async () => {
      const { id, callbackId } = await opened(10 * 60_000);
      expect(await poll(id, pending('ON_BOARDING'))).toMatchObject({ status: 'ON_BOARDING', poll_count: 1, poll_claimed_until: null });
      const progressed = await poll(id, pending('IN_PROGRESS'), pending(null));
      expect(progressed).toMatchObject({ status: 'IN_PROGRESS', poll_count: 3, failure_code: null });
      expect(progressed.next_poll_at!.getTime()).toBeGreaterThan(Date.now());
      expect(tier.btrust.callsOf(POLL).map(([asked]) => asked)).toEqual([callbackId, callbackId, callbackId]);
    });

    it('completes on FINISHED with the eID certificate, and keeps the certificate for its owner only', async () => {
      const { id } = await opened(10 * 60_000);
      expect(await poll(id, pending('IN_PROGRESS'), finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED', next_poll_at: null });
      expect(await service().certificate(OWNER, id)).toEqual(CERTIFICATE);
      expect(await service().findOwned(OWNER, id)).toMatchObject({ status: 'COMPLETED', identificator: 'eid-identificator-1' });
      await expect(service().certificate('someone-else', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('asks again on FINISHED without the certificate, and completes once it comes', async () => {
      const { id } = await opened(10 * 60_000);
      expect(await poll(id, finished(null))).toMatchObject({ status: 'PENDING', eid_certificate_misses: 1, provider_status: 'FINISHED' });
      expect(await poll(id, finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED' });
    });

    it(`ends FAILED (EID_CERTIFICATE_MISSING) after ${CERTIFICATE_ATTEMPTS} finished answers without the certificate`, async () => {
      const { id } = await opened(10 * 60_000);
      expect(await poll(id, finished(null), finished(null))).toMatchObject({
        status: 'FAILED',
        failure_code: 'EID_CERTIFICATE_MISSING',
        eid_certificate_misses: CERTIFICATE_ATTEMPTS,
        next_poll_at: null,
      });
    });

    it('ends REJECTED on the one definitive refusal (400 REJECTED)', async () => {
      const [[, refusal, answerClass]] = failuresOf('DEFINITIVE');
      expect(answerClass).toBe(refusal.answerClass);
      const { id } = await opened(10 * 60_000);
      expect(await poll(id, refusal)).toMatchObject({ status: 'REJECTED', failure_code: 'REJECTED', poll_count: 1, next_poll_at: null });
    });

    it.each(failuresOf('NOT_YET', 'TRANSIENT', 'CONFIGURATION_FAULT'))(
      'keeps it open on %s, counting the poll, and completes when B-Trust answers again',
      async (_answer, failure, answerClass) => {
        expect(failure.answerClass).toBe(answerClass);
        const { id } = await opened(10 * 60_000);
        const kept = await poll(id, failure, failure);
        expect(kept).toMatchObject({ status: 'PENDING', failure_code: null, poll_count: 2, poll_claimed_until: null });
        expect(kept.next_poll_at).not.toBeNull();
        expect(await poll(id, finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED', poll_count: 3 });
      },
    );
  });

  describe('after the deadline, before the last ask (deadline + grace)', () => {
    it('ends EXPIRED on 400 REJECTED: the person did not confirm in time', async () => {
      const { id } = await opened(-1_000);
      expect(await poll(id, providerAnswered(POLL, 400, 'REJECTED'))).toMatchObject({ status: 'EXPIRED', failure_code: 'EXPIRED' });
    });

    it.each(answersOf(['a pending answer', pending('IN_PROGRESS')], ...failuresOf('NOT_YET', 'TRANSIENT', 'CONFIGURATION_FAULT')))(
      'keeps it open on %s and asks again no later than the last ask',
      async (_answer, answer) => {
        const deadline = Date.now() - 1_000;
        const { id } = await opened(deadline - Date.now());
        const kept = await poll(id, answer);
        expect(OPEN).toContain(kept.status);
        expect(kept.next_poll_at!.getTime()).toBeLessThanOrEqual(deadline + GRACE_MS + 1_000);
      },
    );

    it('still completes when the result comes after the deadline', async () => {
      const { id } = await opened(-1_000);
      expect(await poll(id, pending('IN_PROGRESS'), finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED' });
    });
  });

  describe('at the last ask', () => {
    const pastLastAsk = -(GRACE_MS + 5_000);

    it.each(answersOf(['a pending answer', pending('IN_PROGRESS')], ...failuresOf('DEFINITIVE', 'NOT_YET')))(
      'ends EXPIRED on %s: B-Trust was reached and has no result past its own deadline',
      async (_answer, answer) => {
        const { id } = await opened(pastLastAsk);
        expect(await poll(id, answer)).toMatchObject({ status: 'EXPIRED', failure_code: 'EXPIRED', next_poll_at: null });
      },
    );

    it.each(failuresOf('TRANSIENT', 'CONFIGURATION_FAULT'))(
      'ends OUTCOME_UNKNOWN on %s, never EXPIRED, and a refresh that reaches B-Trust still completes it',
      async (_answer, failure) => {
        const { id } = await opened(pastLastAsk);
        expect(await poll(id, failure)).toMatchObject({ status: 'OUTCOME_UNKNOWN', failure_code: 'PROVIDER_OUTCOME_UNKNOWN' });
        // Out of the schedule: only an operator's refresh asks again.
        expect(await tier.get(MobileIdentificationRepository).claimDuePolls(1_000, tier.get(MobileIdentificationPollScheduler).claimLeaseMs)).not.toContain(id);
        // A refresh that still cannot ask leaves it as it is, counting the ask.
        expect(await poll(id, failure)).toMatchObject({ status: 'OUTCOME_UNKNOWN', poll_count: 2 });
        expect(await poll(id, finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED', poll_count: 3 });
      },
    );

    it('completes on FINISHED with the certificate even at the last ask', async () => {
      const { id } = await opened(pastLastAsk);
      expect(await poll(id, finished(CERTIFICATE))).toMatchObject({ status: 'COMPLETED' });
    });
  });

  describe('creation', () => {
    it('keeps the record OUTCOME_UNKNOWN when 1.1 may have reached B-Trust, and never asks again', async () => {
      tier.btrust.answerNext('identification', noAnswer('identification', 'ETIMEDOUT', true));
      await expect(service().create(OWNER, { ...VALID_MOBILE_REQUEST } as CreateMobileIdentificationDto, 'bg')).rejects.toMatchObject({
        code: 'PROVIDER_OUTCOME_UNKNOWN',
      });
      const [created]: Array<{ id: string }> = await tier.dataSource.query(
        `SELECT id FROM mobile_identifications WHERE owner = $1 AND status = 'OUTCOME_UNKNOWN' AND provider_callback_id IS NULL`,
        [OWNER],
      );
      await service().pollOnce(created.id);
      expect(tier.btrust.callsOf(POLL)).toEqual([]);
      expect(tier.btrust.callsOf('identification')).toHaveLength(1);
    });
  });
});
