import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { EVENT_DATA } from '../../api/schemas/events';
import type { EventType } from '../../db/events';
import { COLLECTION_COSTS } from '../../domain/costs';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import type { Platform, PostPage } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';
import type { PaidJobResult } from '../../workflows/paid-jobs';
import { requireEnv, sharedWorkflowBundle } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { trackedCreator as trackCreator, untilDone } from '../helpers/creators';
import { apiClient, eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, newTeam } from '../helpers/teams';
import { killWorkerProcess, spawnWorkerProcess } from '../helpers/worker-spawn';

type Activities = ReturnType<typeof createActivities>;

/** Counts listPosts calls and the cursors they resume from, so a test can tell a resumed collection from a restart. */
class CountingProvider extends SimulatedProvider {
  readonly pages: (string | null)[] = [];

  override async listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<PostPage> {
    this.pages.push(opts.cursor ?? null);
    return super.listPosts(platform, handle, opts);
  }
}

/**
 * Post collection and audience refresh sagas against the real dev server and Postgres: every failure point leaves
 * the ledger with exactly the right entries and balance.
 */
describe('paid job sagas', () => {
  const suite = stackForSuite();

  const trackedCreator = (credits: number, handle = `saga_${randomUUID().slice(0, 8)}`) =>
    trackCreator(suite.stack, credits, handle);
  const pollJob = untilDone;

  const collectionLedger = async (teamId: string) =>
    (await ledgerOf(suite.stack.pool, teamId)).entries.filter((e) => e.idempotency_key.startsWith('collection:'));

  /** The events a job's end recorded (every one checked against its published schema). */
  const endEventsOf = async (jobId: string) => {
    const rows = (
      await suite.stack.pool.query<{ type: EventType; resource_type: string; resource_id: string; data: any }>(
        `SELECT type, resource_type, resource_id, data FROM events
          WHERE data->>'collection_id' = $1 OR data->>'job_id' = $1 ORDER BY created_at`,
        [jobId],
      )
    ).rows;
    for (const row of rows) {
      const checked = EVENT_DATA[row.type].safeParse(row.data);
      if (!checked.success) throw new Error(`${row.type}: ${checked.error.message}`);
    }
    return rows;
  };

  it('a deep collection reserves 100, pages up to 200 posts, upserts them once and captures', async () => {
    const c = await trackedCreator(1000);
    const accepted = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'deep' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.data).toMatchObject({
      status: 'processing',
      depth: 'deep',
      max_videos: 200,
      credits_reserved: 100,
    });
    const id = accepted.body.data.collection_id as string;
    expect(accepted.body.data.finalized).toBe(false);
    expect(accepted.body.data.pending_jobs).toEqual([
      expect.objectContaining({ type: 'post_collection', job_id: id, poll_url: accepted.body.data.poll_url }),
    ]);
    const done = await pollJob(c.api, `/v1/tracking/creators/${c.id}/posts/collect/${id}`);
    const creator = (await c.api.get(`/v1/tracking/creators/${c.id}`)).body.data;
    expect(done).toMatchObject({ collection_id: id, status: 'completed', depth: 'deep', max_videos: 200 });
    expect(done.videos_collected).toBe(Math.min(200, creator.latest_total_videos));
    expect(Date.parse(done.completed_at)).toBeGreaterThanOrEqual(Date.parse(done.started_at));

    const posts = await c.api.get(`/v1/tracking/creators/${c.id}/posts?limit=200`);
    expect(posts.body.pagination.total).toBe(done.videos_collected);

    // a standard collection re-reads the newest 50: same rows updated, none added, charged 50 on top
    const again = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, {});
    expect(again.status).toBe(202);
    expect(again.body.data.depth).toBe('standard');
    await pollJob(c.api, `/v1/tracking/creators/${c.id}/posts/collect/${again.body.data.collection_id}`);
    const after = await c.api.get(`/v1/tracking/creators/${c.id}/posts?limit=1`);
    expect(after.body.pagination.total).toBe(done.videos_collected);

    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${c.id}`, 'creator-collections');
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `collection:${id}`, 'post-collection');
    const ledger = await ledgerOf(suite.stack.pool, c.teamId);
    expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
      ['reserve', -100],
      ['capture', 0],
      ['reserve', -50],
      ['capture', 0],
    ]);
    expect(ledger.balance).toBe(1000 - 25 - 100 - 50);

    // each collection's end recorded one posts.collection.completed, the collection as its GET shows it
    const events = await endEventsOf(id);
    expect(events).toHaveLength(1);
    const final = (await c.api.get(`/v1/tracking/creators/${c.id}/posts/collect/${id}`)).body.data;
    const { finalized: _f, pending_jobs: _p, ...fields } = final;
    expect(events[0]).toMatchObject({
      type: 'posts.collection.completed',
      resource_type: 'creator',
      resource_id: c.id,
    });
    expect(events[0]?.data).toEqual({
      ...fields,
      creator_id: c.id,
      url: `/v1/tracking/creators/${c.id}/posts/collect/${id}`,
    });
    expect((await endEventsOf(again.body.data.collection_id)).map((e) => e.type)).toEqual([
      'posts.collection.completed',
    ]);
  });

  it('collection_depth on POST runs the collection after the initial cycle, charged on top of it', async () => {
    const team = await newTeam(suite.stack.pool, 200);
    const api = apiClient(suite.stack.baseUrl, team.key);
    const created = await api.post('/v1/tracking/creators', {
      platform: 'tiktok',
      handle: `initial_${randomUUID().slice(0, 8)}`,
      collection_depth: 'standard',
    });
    expect(created.status).toBe(202);
    const { collection } = created.body.data;
    expect(collection).toMatchObject({ status: 'processing', depth: 'standard', max_videos: 50, credits_reserved: 50 });
    // known at once, before its workflow has started
    const early = await api.get(collection.poll_url);
    expect(early.status).toBe(200);
    const done = await pollJob(api, collection.poll_url);
    expect(done.status).toBe('completed');
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${created.body.data.id}`, 'creator-initial-collection');
    const ledger = await ledgerOf(suite.stack.pool, team.teamId);
    expect(ledger.balance).toBe(200 - 25 - 50);
    expect((await collectionLedger(team.teamId)).map((e) => e.kind)).toEqual(['reserve', 'capture']);
  });

  it('holds the collection asked for at POST before answering: ten racing POSTs on 100 credits get one 202', async () => {
    const team = await newTeam(suite.stack.pool, 100);
    const api = apiClient(suite.stack.baseUrl, team.key);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.post('/v1/tracking/creators', {
          platform: 'tiktok',
          handle: `race_${i}_${randomUUID().slice(0, 6)}`,
          collection_depth: 'standard',
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 402, 402, 402, 402, 402, 402, 402, 402, 402]);
    const accepted = answers.find((a) => a.status === 202)!;
    const { collection } = accepted.body.data;
    // the promise is already kept: the cycle's 25 and the collection's 50 are held as the 202 leaves
    const held = await ledgerOf(suite.stack.pool, team.teamId);
    expect(
      held.entries
        .filter((e) => e.kind === 'reserve')
        .map((e) => e.idempotency_key.split(':')[0])
        .sort(),
    ).toEqual(['collection', 'creator']);
    expect(held.balance).toBe(100 - 25 - 50);
    expect(await pollJob(api, collection.poll_url)).toMatchObject({ status: 'completed', credits_used: 50 });
    // the collection's own reservation found the one made at POST: one reserve, one capture, nothing else
    expect((await collectionLedger(team.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
      ['reserve', -50],
      ['capture', 0],
    ]);
    expect((await ledgerOf(suite.stack.pool, team.teamId)).balance).toBe(25);
  });

  it('refuses with 402 and writes nothing when the balance cannot pay', async () => {
    const c = await trackedCreator(25 + 49);
    const res = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'standard' });
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('payment_required');
    const jobs = await suite.stack.pool.query('SELECT 1 FROM paid_jobs WHERE tracking_account_id = $1', [c.id]);
    expect(jobs.rowCount).toBe(0);
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(49);

    // POST /creators with a collection the balance cannot cover charges nothing and tracks nothing
    const refused = await c.api.post('/v1/tracking/creators', {
      platform: 'youtube',
      handle: 'another_one',
      collection_depth: 'deep',
    });
    expect(refused.status).toBe(402);
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(49);
  });

  it('refunds everything when the platform fails after the reservation', async () => {
    const c = await trackedCreator(500);
    suite.provider.setFault('tiktok', c.handle, { kind: 'private' });
    const res = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'full' });
    expect(res.status).toBe(202);
    const done = await pollJob(c.api, `/v1/tracking/creators/${c.id}/posts/collect/${res.body.data.collection_id}`);
    expect(done).toMatchObject({ status: 'failed', error: 'private', credits_used: 0 });
    expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
      ['reserve', -200],
      ['refund', 200],
    ]);
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(500 - 25);
    const events = await endEventsOf(res.body.data.collection_id);
    expect(events.map((e) => e.type)).toEqual(['posts.collection.failed']);
    expect(events[0]?.data).toMatchObject({
      collection_id: res.body.data.collection_id,
      status: 'failed',
      error: 'private',
      error_message: done.error_message,
      credits_used: 0,
      creator_id: c.id,
      url: res.body.data.poll_url,
    });
  });

  it('refuses a second collection while one runs (409 naming it) and charges only the first', async () => {
    const c = await trackedCreator(500);
    // the first page fails once, so the collection is still running when the second request arrives
    suite.provider.setFault('tiktok', c.handle, { kind: 'unavailable', times: 1 });
    const first = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'standard' });
    expect(first.status).toBe(202);
    const second = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'deep' });
    expect(second.status).toBe(409);
    expect(second.body.error.details.running_job_id).toBe(first.body.data.collection_id);
    const done = await pollJob(c.api, `/v1/tracking/creators/${c.id}/posts/collect/${first.body.data.collection_id}`);
    expect(done.status).toBe('completed');
    expect((await collectionLedger(c.teamId)).map((e) => e.kind)).toEqual(['reserve', 'capture']);
  });

  it('an operator terminating a collection mid-flight gets it refunded by the creator workflow, slot freed', async () => {
    const c = await trackedCreator(500);
    suite.provider.setFault('tiktok', c.handle, { kind: 'rate_limited', retryAfterSeconds: 60 });
    const res = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'deep' });
    expect(res.status).toBe(202);
    const id = res.body.data.collection_id as string;
    await suite.stack.client.workflow.getHandle(`collection:${id}`).terminate('operator stopped it');
    const done = await pollJob(c.api, `/v1/tracking/creators/${c.id}/posts/collect/${id}`);
    expect(done).toMatchObject({ status: 'failed', error: 'ended', credits_used: 0 });
    expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
      ['reserve', -100],
      ['refund', 100],
    ]);
    // the creator workflow's compensation ended the job, and recorded its end
    expect((await endEventsOf(id)).map((e) => [e.type, e.data.error])).toEqual([['posts.collection.failed', 'ended']]);
    suite.provider.clearFaults();
    const next = await c.api.post(`/v1/tracking/creators/${c.id}/posts/collect`, { depth: 'standard' });
    expect(next.status).toBe(202);
    expect((await pollJob(c.api, next.body.data.poll_url)).status).toBe('completed');
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(500 - 25 - 50);
  });

  it('an audience refresh that ends without finishing is refunded and records audience.snapshot.failed', async () => {
    const c = await trackedCreator(500);
    // the platform keeps asking for a minute's pause: the refresh is mid-flight when an operator terminates it
    suite.provider.setFault('tiktok', c.handle, { kind: 'rate_limited', retryAfterSeconds: 60 });
    const res = await c.api.post(`/v1/tracking/creators/${c.id}/audience-refresh`, {});
    expect(res.status).toBe(202);
    const jobId = res.body.data.job_id as string;
    const read = (await c.api.get(`/v1/tracking/creators/${c.id}/audience-geography`)).body.data;
    expect(read).toMatchObject({ snapshot: null, finalized: false });
    expect(read.pending_jobs).toEqual([expect.objectContaining({ job_id: jobId })]);
    await suite.stack.client.workflow.getHandle(`audience:${jobId}`).terminate('operator stopped it');
    const done = await pollJob(c.api, `/v1/tracking/creators/${c.id}/audience-refresh/${jobId}`);
    expect(done).toMatchObject({
      status: 'failed',
      error: 'ended',
      credits_used: 0,
      finalized: true,
      pending_jobs: [],
    });
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(500 - 25);
    const events = await endEventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual(['audience.snapshot.failed']);
    expect(events[0]?.data).toEqual({
      job_id: jobId,
      status: 'failed',
      error: 'ended',
      error_message: done.error_message,
      creator_id: c.id,
      snapshot: null,
      credits_used: 0,
      credit_unit: 'cent',
      url: `/v1/tracking/creators/${c.id}/audience-refresh/${jobId}`,
    });
    // the client waiting on the read is released too: finalized, the result field still null
    expect((await c.api.get(`/v1/tracking/creators/${c.id}/audience-geography`)).body.data).toMatchObject({
      snapshot: null,
      is_stale: null,
      finalized: true,
      pending_jobs: [],
    });
  });

  describe('with steps whose results are lost', () => {
    let connection: NativeConnection;
    let worker: Worker;
    let running: Promise<void>;
    const taskQueue = `saga-${randomUUID()}`;
    const lost = new Set<string>();

    /** Runs the real step, then reports a failure once per job: the work is committed but its result never arrives. */
    const losesResultOnce =
      <A extends { jobId: string }, R>(name: string, step: (input: A) => Promise<R>) =>
      async (input: A): Promise<R> => {
        const result = await step(input);
        const key = `${name}:${input.jobId}`;
        if (!lost.has(key)) {
          lost.add(key);
          throw ApplicationFailure.retryable(`${name} committed but the worker lost the result`);
        }
        return result;
      };

    beforeAll(async () => {
      connection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
      const real: Activities = createActivities({
        pool: suite.stack.pool,
        provider: suite.provider,
        reportGenerator: heuristicCreatorReportGenerator,
      });
      worker = await Worker.create({
        connection,
        taskQueue,
        workflowBundle: sharedWorkflowBundle(),
        activities: {
          ...real,
          reserveJob: losesResultOnce('reserveJob', real.reserveJob),
          captureJob: losesResultOnce('captureJob', real.captureJob),
          compensateJob: losesResultOnce('compensateJob', real.compensateJob),
        },
      });
      running = worker.run();
    });

    afterAll(async () => {
      worker.shutdown();
      await running;
      await connection.close();
    });

    const runCollection = (c: { teamId: string; id: string; handle: string }, jobId = randomUUID()) =>
      suite.stack.client.workflow.execute('postCollectionWorkflow', {
        taskQueue,
        workflowId: `collection:${jobId}`,
        args: [{ jobId, teamId: c.teamId, creatorId: c.id, platform: 'tiktok', handle: c.handle, depth: 'standard' }],
      }) as Promise<PaidJobResult>;

    it('a retried reservation and a retried capture each move credits once', async () => {
      const c = await trackedCreator(300);
      const result = await runCollection(c);
      expect(result.status).toBe('completed');
      expect(lost.has(`reserveJob:${result.jobId}`) && lost.has(`captureJob:${result.jobId}`)).toBe(true);
      expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
        ['reserve', -COLLECTION_COSTS.standard],
        ['capture', 0],
      ]);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(300 - 25 - COLLECTION_COSTS.standard);
      // the capture that ran twice recorded its end once
      expect((await endEventsOf(result.jobId)).map((e) => e.type)).toEqual(['posts.collection.completed']);
    });

    it('a retried compensation refunds once', async () => {
      const c = await trackedCreator(300);
      suite.provider.setFault('tiktok', c.handle, { kind: 'deleted' });
      const result = await runCollection(c);
      expect(result).toMatchObject({ status: 'failed', error: 'deleted' });
      expect(lost.has(`compensateJob:${result.jobId}`)).toBe(true);
      expect((await collectionLedger(c.teamId)).map((e) => e.kind)).toEqual(['reserve', 'refund']);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(300 - 25);
      // the compensation that ran twice recorded the failure once
      expect((await endEventsOf(result.jobId)).map((e) => [e.type, e.data.error])).toEqual([
        ['posts.collection.failed', 'deleted'],
      ]);
    });

    it('a cancelled collection is compensated before it ends', async () => {
      const c = await trackedCreator(300);
      // the platform asks for a minute's pause: the collection is mid-flight when it is cancelled
      suite.provider.setFault('tiktok', c.handle, { kind: 'rate_limited', retryAfterSeconds: 60 });
      const jobId = randomUUID();
      const handle = await suite.stack.client.workflow.start('postCollectionWorkflow', {
        taskQueue,
        workflowId: `collection:${jobId}`,
        args: [{ jobId, teamId: c.teamId, creatorId: c.id, platform: 'tiktok', handle: c.handle, depth: 'deep' }],
      });
      await eventually('the reservation', async () => {
        const row = await suite.stack.pool.query(`SELECT 1 FROM paid_jobs WHERE id = $1 AND status = 'processing'`, [
          jobId,
        ]);
        return row.rowCount === 1 ? true : undefined;
      });
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const job = await suite.stack.pool.query('SELECT status, error, credits_used FROM paid_jobs WHERE id = $1', [
        jobId,
      ]);
      expect(job.rows[0]).toEqual({ status: 'failed', error: 'cancelled', credits_used: 0 });
      expect((await endEventsOf(jobId)).map((e) => [e.type, e.data.error])).toEqual([
        ['posts.collection.failed', 'cancelled'],
      ]);
      expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
        ['reserve', -100],
        ['refund', 100],
      ]);
    });
  });

  it('a worker killed mid-collection loses nothing: another resumes from the last heartbeat', async () => {
    // a creator with well over 500 posts, so a full collection is ten pages and the kill lands between two
    const c = await trackedCreator(500, 'saga.collector');
    const taskQueue = `killed-${randomUUID()}`;
    // every provider call takes a while, so the kill lands between pages
    const child = await spawnWorkerProcess(taskQueue, { SIMULATED_LATENCY_MS: '700' });
    const jobId = randomUUID();
    const handle = await suite.stack.client.workflow.start('postCollectionWorkflow', {
      taskQueue,
      workflowId: `collection:${jobId}`,
      args: [{ jobId, teamId: c.teamId, creatorId: c.id, platform: 'tiktok', handle: c.handle, depth: 'full' }],
    });
    await eventually('a page stored', async () => {
      const row = await suite.stack.pool.query<{ videos_collected: number }>(
        'SELECT videos_collected FROM paid_jobs WHERE id = $1',
        [jobId],
      );
      return (row.rows[0]?.videos_collected ?? 0) > 0 ? true : undefined;
    });
    // the SDK holds heartbeats back (throttled) before sending them: kill only once the server has one with a cursor,
    // or the rescue rightly starts from the first page
    await eventually('a heartbeat with a cursor on the server', async () => {
      const { raw } = await handle.describe();
      const details = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0]?.data;
      if (!details) return undefined;
      const progress = JSON.parse(Buffer.from(details).toString()) as { cursor: string | null };
      return progress.cursor !== null ? true : undefined;
    });
    await killWorkerProcess(child);

    // a healthy worker takes over once the dead one's heartbeat times out
    const counting = new CountingProvider();
    const connection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
    const rescue = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: sharedWorkflowBundle(),
      activities: createActivities({
        pool: suite.stack.pool,
        provider: counting,
        reportGenerator: heuristicCreatorReportGenerator,
      }),
    });
    const result = (await rescue.runUntil(handle.result())) as PaidJobResult;
    await connection.close();

    expect(result.status).toBe('completed');
    // resumed with a cursor, not from the first page
    expect(counting.pages.length).toBeGreaterThan(0);
    expect(counting.pages[0]).not.toBeNull();
    const job = (await suite.stack.pool.query('SELECT * FROM paid_jobs WHERE id = $1', [jobId])).rows[0];
    const creator = (
      await suite.stack.pool.query('SELECT latest_total_videos FROM tracked_creators WHERE id = $1', [c.id])
    ).rows[0];
    expect(job.status).toBe('completed');
    expect(job.videos_collected).toBe(Math.min(500, creator.latest_total_videos));
    const posts = await suite.stack.pool.query(
      'SELECT count(*)::int AS n FROM creator_posts WHERE tracking_account_id = $1',
      [c.id],
    );
    expect(posts.rows[0].n).toBe(job.videos_collected);
    expect((await collectionLedger(c.teamId)).map((e) => [e.kind, e.amount_cents])).toEqual([
      ['reserve', -200],
      ['capture', 0],
    ]);
    expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(500 - 25 - 200);
  });
});
