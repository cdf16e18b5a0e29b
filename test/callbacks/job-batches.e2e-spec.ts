import { JobQueue } from '../../src/jobs/job-queue.service';
import { eventually } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

/** Webhook processing fetches jobs in batches; one job's failure must not fail or retry its neighbours. */
describe(JobQueue.name, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('fails only the job of a batch that threw, and completes the others', async () => {
    const jobs = server.app.get(JobQueue);
    const queue = 'test-batch';
    await jobs.createQueue(queue, { retryLimit: 1, retryDelay: 600 });
    const failing = await jobs.send(queue, { fail: true });
    const passing = await jobs.send(queue, { fail: false });
    const handled: string[] = [];
    await jobs.work<{ fail: boolean }>(
      queue,
      async (data, job) => {
        handled.push(job.id);
        if (data.fail) throw new Error('this job fails');
      },
      { batchSize: 2, pollingIntervalSeconds: 0.5 },
    );

    const states = await eventually(
      async () => ({ failing: await jobs.getJobState(queue, failing!), passing: await jobs.getJobState(queue, passing!) }),
      (current) => current.passing === 'completed' && current.failing !== 'active' && current.failing !== 'created',
    );
    expect(states).toEqual({ failing: 'retry', passing: 'completed' });
    expect(handled.sort()).toEqual([failing, passing].sort());
  });
});
