import { randomUUID } from 'node:crypto';
import { CallbackEndpointRepository } from '../../src/callbacks/callback-endpoint.repository';
import { CallbackEndpointsService } from '../../src/callbacks/callback-endpoints.service';
import { CallbackHandlers, type CallbackHandler, type StoredWebhook } from '../../src/callbacks/callback-handlers';
import { CallbackInboxRepository } from '../../src/callbacks/callback-inbox.repository';
import { CALLBACK_QUEUE, CallbackInboxService } from '../../src/callbacks/callback-inbox.service';
import { CallbackProcessor } from '../../src/callbacks/callback-processor';
import { JobsModule } from '../../src/jobs/jobs.module';
import { CasMetrics } from '../../src/metrics/cas-metrics';
import WEBHOOK from '../../src/btrust/__fixtures__/callback.identification.json';
import { eventually } from '../support/sandbox-control';
import { useServiceModule } from '../support/service-module';

/** Stands where a feature registers its webhook handling: records what reached it. */
class RecordingHandler implements CallbackHandler {
  readonly handled: StoredWebhook[] = [];
  failNext = false;

  readonly concerns = 'IDENTIFICATION' as const;

  async handle(entry: StoredWebhook) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('the feature could not apply it now');
    }
    this.handled.push(entry);
    return { outcome: 'APPLIED' as const, sessionIdMatch: 'WEB_SESSION' as const };
  }
}

interface InboxRow {
  id: string;
  subject_id: string;
  outcome: string;
  duplicates: number;
  processed_at: Date | null;
}

/**
 * The webhook path (CallbackInboxService, CallbackProcessor) on a real
 * PostgreSQL and pg-boss: a webhook is stored and its job enqueued in one
 * statement, a repeat is only counted, an address never handed out is
 * refused with nothing written, and each stored webhook is handled once.
 */
describe(CallbackInboxService.name, () => {
  const tier = useServiceModule({
    // Its own module, as in the app: pg-boss has started before the inbox creates its queue.
    imports: [JobsModule],
    providers: [
      CallbackInboxService,
      CallbackInboxRepository,
      CallbackEndpointsService,
      CallbackEndpointRepository,
      CallbackHandlers,
      CallbackProcessor,
      CasMetrics,
    ],
  });
  const handler = new RecordingHandler();
  const inbox = () => tier.get(CallbackInboxService);
  beforeAll(() => tier.get(CallbackHandlers).register(handler));
  /** What reached the feature for one flow: the worker may still be handling an earlier test's webhooks. */
  const handledFor = (subjectId: string) => handler.handled.filter((entry) => entry.subjectId === subjectId);

  /** A callback URL as one identification hands it to B-Trust; resolves with its token and subject. */
  async function issuedEndpoint(): Promise<{ token: string; subjectId: string }> {
    const subjectId = randomUUID();
    const url = await tier.dataSource.transaction((manager) =>
      tier.get(CallbackEndpointsService).issue(manager, subjectId, new Date(Date.now() + 60_000)),
    );
    return { token: url.split('/').pop()!, subjectId };
  }

  const webhook = (requestId: number) => ({ ...WEBHOOK, requestId, data: { ...WEBHOOK.data, resultId: String(requestId) } });
  const inboxRows = (subjectId: string): Promise<InboxRow[]> =>
    tier.dataSource.query('SELECT id, subject_id, outcome, duplicates, processed_at FROM callback_inbox WHERE subject_id = $1', [subjectId]);
  const jobsFor = async (inboxId: string): Promise<number> =>
    Number(
      (await tier.dataSource.query(`SELECT count(*) FROM pgboss.job WHERE name = $1 AND data->>'inboxId' = $2`, [CALLBACK_QUEUE, inboxId]))[0]
        .count,
    );

  it('stores a webhook with one job and hands it to its feature once; a repeat is answered as a duplicate and only counted', async () => {
    const { token, subjectId } = await issuedEndpoint();
    expect(await inbox().receive(token, webhook(1))).toEqual({ status: 'accepted' });
    const [stored] = await inboxRows(subjectId);
    expect(await jobsFor(stored.id)).toBe(1);
    await eventually(() => inboxRows(subjectId), ([row]) => row.outcome === 'APPLIED', 10_000);

    expect(await inbox().receive(token, webhook(1))).toEqual({ status: 'duplicate' });
    expect(await inbox().receive(token, webhook(1))).toEqual({ status: 'duplicate' });
    const rows = await inboxRows(subjectId);
    expect(rows).toEqual([expect.objectContaining({ id: stored.id, outcome: 'APPLIED', duplicates: 2 })]);
    expect(await jobsFor(stored.id)).toBe(1);

    // The job run again (an instance that died before completing it) finds nothing left to do.
    await tier.get(CallbackProcessor).process(stored.id);
    expect(handledFor(subjectId).map((entry) => entry.id)).toEqual([stored.id]);
    expect(handledFor(subjectId)[0]).toMatchObject({ sessionId: WEBHOOK.data.sessionId, resultId: '1' });
  });

  it('takes another delivery about the same flow as a webhook of its own', async () => {
    const { token, subjectId } = await issuedEndpoint();
    await inbox().receive(token, webhook(2));
    expect(await inbox().receive(token, webhook(3))).toEqual({ status: 'accepted' });
    expect(await inboxRows(subjectId)).toHaveLength(2);
  });

  it('leaves a webhook PENDING when its feature fails, and applies it on the next run of its job', async () => {
    const { token, subjectId } = await issuedEndpoint();
    handler.failNext = true;
    await inbox().receive(token, webhook(4));
    const [stored] = await inboxRows(subjectId);
    // Whichever run comes first (the worker's or this one) meets the failure; the other applies it.
    await tier
      .get(CallbackProcessor)
      .process(stored.id)
      .catch(() => undefined);
    if ((await inboxRows(subjectId))[0].outcome === 'PENDING') await tier.get(CallbackProcessor).process(stored.id);
    expect(await inboxRows(subjectId)).toEqual([expect.objectContaining({ outcome: 'APPLIED' })]);
    expect(handledFor(subjectId).map((entry) => entry.id)).toEqual([stored.id]);
  });

  it('refuses a webhook at an address it never handed out (CALLBACK_NOT_FOUND), writing nothing', async () => {
    const before = await tier.dataSource.query('SELECT count(*)::int AS count FROM callback_inbox');
    await expect(inbox().receive('never-handed-out', webhook(5))).rejects.toMatchObject({ code: 'CALLBACK_NOT_FOUND' });
    await expect(inbox().receive('never-handed-out', { not: 'a webhook' })).rejects.toMatchObject({ code: 'CALLBACK_NOT_FOUND' });
    expect(await tier.dataSource.query('SELECT count(*)::int AS count FROM callback_inbox')).toEqual(before);
  });

  it('refuses a body that is not a B-Trust webhook at a real address (INVALID_CALLBACK), writing nothing', async () => {
    const { token, subjectId } = await issuedEndpoint();
    await expect(inbox().receive(token, { ...WEBHOOK, data: { processState: 'CREATE_SIGN_SESSION_REQUEST' } })).rejects.toMatchObject({
      code: 'INVALID_CALLBACK',
    });
    expect(await inboxRows(subjectId)).toEqual([]);
  });
});
