import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Platform, PostPage, ProfileMetrics } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';
import { pauseSignal, stateQuery } from '../../workflows/messages';
import { trackAndFinalize } from '../helpers/creators';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { apiClient, eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, newTeam } from '../helpers/teams';
import { TrackingReconciler, unstoppedClosedQuery } from '../../worker/tracking-reconciler';

/** Holds a handle's platform calls until released, so a test can act while a cycle or a collection is mid-flight. */
class HeldProvider extends SimulatedProvider {
  private readonly held = new Map<string, { gate: Promise<void>; release: () => void }>();

  hold(handle: string): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held.set(handle, { gate, release });
    return () => {
      this.held.delete(handle);
      release();
    };
  }

  releaseAll(): void {
    for (const { release } of this.held.values()) release();
    this.held.clear();
  }

  override async getProfile(platform: Platform, handle: string): Promise<ProfileMetrics> {
    await this.held.get(handle)?.gate;
    return super.getProfile(platform, handle);
  }

  override async listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<PostPage> {
    await this.held.get(handle)?.gate;
    return super.listPosts(platform, handle, opts);
  }
}

/** The real client, noting the workflow id of every handle asked of it (each describe, cancel, … goes through one). */
function handleCounting(client: Client, handles: string[]): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      if (prop === 'getHandle') {
        return (...args: Parameters<Client['workflow']['getHandle']>) => {
          handles.push(args[0]);
          return target.getHandle(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { workflow } as unknown as Client;
}

/**
 * What the Temporal UI offers on a tracking workflow — Request Cancellation, Terminate, the run-cycle Update, signals —
 * against the real dev server and Postgres: afterwards the API, the ledger and the workflow tell the same story.
 */
describe('operating tracking workflows from the Temporal UI', () => {
  const suite = stackForSuite({ provider: new HeldProvider(), reconcileIntervalMs: 300 });
  afterEach(() => suite.provider.releaseAll());

  const handleOf = () => `ui_${randomUUID().slice(0, 8)}`;

  async function team(credits = 10_000) {
    const t = await newTeam(suite.stack.pool, credits);
    return { ...t, api: apiClient(suite.stack.baseUrl, t.key) };
  }

  /** Every reservation of the team settled exactly once (a capture or a refund), and the balance they leave. */
  async function expectSettled(teamId: string) {
    const { entries, balance } = await ledgerOf(suite.stack.pool, teamId);
    const reservations = entries.filter((e) => e.kind === 'reserve');
    for (const r of reservations) {
      expect(entries.filter((e) => e.settles === r.idempotency_key)).toHaveLength(1);
    }
    return { entries, balance };
  }

  /** The row as the read model holds it, with the columns this issue adds. */
  const rowOf = async (table: 'tracked_creators' | 'tracked_videos', id: string) =>
    (
      await suite.stack.pool.query<{
        status: string;
        stop_reason: string | null;
        pause_note: string | null;
        deleted_at: Date | null;
        cycle_in_progress: number | null;
      }>(`SELECT status, stop_reason, pause_note, deleted_at, cycle_in_progress FROM ${table} WHERE id = $1`, [id])
    ).rows[0];

  const stoppedEvents = async (id: string) =>
    (
      await suite.stack.pool.query<{ data: { stop_reason: string } }>(
        `SELECT data FROM events WHERE type = 'tracking.stopped' AND resource_id = $1`,
        [id],
      )
    ).rows;

  /** Starts tracking while the creator's platform calls are held: answers once the first cycle is reserved. */
  async function trackHeld(api: ReturnType<typeof apiClient>, handle: string) {
    suite.provider.hold(handle);
    const created = await api.post('/v1/tracking/creators', { platform: 'tiktok', handle });
    expect(created.status).toBe(202);
    return created.body.data.id as string;
  }

  /** A fresh team's creator whose first cycle is reserved and held mid-flight. */
  async function creatorMidCycle() {
    const t = await team();
    const handle = handleOf();
    const id = await trackHeld(t.api, handle);
    await eventually('the first cycle reserved', async () =>
      (await rowOf('tracked_creators', id))?.cycle_in_progress === 1 ? true : undefined,
    );
    return { ...t, handle, id };
  }

  /** A fresh team's creator past its first cycle, with a standard collection reserved and held mid-flight. */
  async function creatorMidCollection() {
    const t = await team();
    const handle = handleOf();
    const { id } = await trackAndFinalize(t.api, '/v1/tracking/creators', { platform: 'tiktok', handle });
    suite.provider.hold(handle);
    const started = await t.api.post(`/v1/tracking/creators/${id}/posts/collect`, { depth: 'standard' });
    expect(started.status).toBe(202);
    return { ...t, handle, id, collectionId: started.body.data.collection_id as string };
  }

  /** After a stop of any kind: the API answers as after DELETE, and tracking the handle again is a new creator. */
  async function expectBehavesAsDeleted(api: ReturnType<typeof apiClient>, id: string, handle: string) {
    const detail = await api.get(`/v1/tracking/creators/${id}`);
    expect(detail.body.data).toMatchObject({ status: 'stopped', next_scrape_at: null, finalized: true });
    expect((await api.delete(`/v1/tracking/creators/${id}`)).status).toBe(204);
    expect((await api.patch(`/v1/tracking/creators/${id}`, { status: 'paused' })).status).toBe(409);
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).status).toBe(409);
    const list = await api.get('/v1/tracking/creators');
    expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(id);
    const again = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle });
    expect(again.id).not.toBe(id);
  }

  it('Request Cancellation mid-cycle stops the creator, refunds the cycle and records the stop once', async () => {
    const { api, teamId, handle, id } = await creatorMidCycle();

    const wf = suite.stack.client.workflow.getHandle(`creator:${id}`);
    await wf.cancel();
    await wf.result();
    suite.provider.releaseAll();

    expect((await wf.describe()).status.name).toBe('COMPLETED');
    expect(await rowOf('tracked_creators', id)).toMatchObject({
      status: 'stopped',
      stop_reason: 'cancelled',
      cycle_in_progress: null,
    });
    expect((await stoppedEvents(id)).map((e) => e.data.stop_reason)).toEqual(['cancelled']);
    expect((await api.get(`/v1/tracking/creators/${id}`)).body.data).toMatchObject({
      status: 'stopped',
      stop_reason: 'cancelled',
    });
    const { entries, balance } = await expectSettled(teamId);
    expect(entries.filter((e) => e.idempotency_key.startsWith(`creator:${id}:`)).map((e) => e.kind)).toEqual([
      'reserve',
      'refund',
    ]);
    expect(balance).toBe(10_000);
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${id}`, 'creator-cancelled');
    await expectBehavesAsDeleted(api, id, handle);
  });

  it('Request Cancellation mid-collection cancels the collection, whose saga refunds it', async () => {
    const { api, teamId, handle, id, collectionId } = await creatorMidCollection();

    const wf = suite.stack.client.workflow.getHandle(`creator:${id}`);
    await wf.cancel();
    await wf.result();

    const job = await api.get(`/v1/tracking/creators/${id}/posts/collect/${collectionId}`);
    expect(job.body.data).toMatchObject({ status: 'failed', error: 'cancelled', credits_used: 0 });
    expect((await suite.stack.client.workflow.getHandle(`collection:${collectionId}`).describe()).status.name).toBe(
      'CANCELLED',
    );
    expect(await rowOf('tracked_creators', id)).toMatchObject({ status: 'stopped', stop_reason: 'cancelled' });
    const { balance } = await expectSettled(teamId);
    expect(balance).toBe(10_000 - 25);
    suite.provider.releaseAll();
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${id}`, 'creator-cancelled-collection');
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `collection:${collectionId}`, 'post-collection-cancelled');
    await expectBehavesAsDeleted(api, id, handle);
  });

  it('Terminate mid-cycle is noticed: the reconciler refunds the cycle and stops the creator', async () => {
    const { api, teamId, handle, id } = await creatorMidCycle();

    await suite.stack.client.workflow.getHandle(`creator:${id}`).terminate('operator test');
    await eventually(
      'the reconciler',
      async () => ((await rowOf('tracked_creators', id))?.status === 'stopped' ? true : undefined),
      60_000,
    );
    suite.provider.releaseAll();

    expect(await rowOf('tracked_creators', id)).toMatchObject({ stop_reason: 'terminated', cycle_in_progress: null });
    expect((await stoppedEvents(id)).map((e) => e.data.stop_reason)).toEqual(['terminated']);
    expect((await api.get(`/v1/tracking/creators/${id}`)).body.data.stop_reason).toBe('terminated');
    const { balance } = await expectSettled(teamId);
    expect(balance).toBe(10_000);
    // a second pass finds the execution again and changes nothing
    await suite.stack.reconciler?.reconcile();
    expect((await expectSettled(teamId)).balance).toBe(10_000);
    await expectBehavesAsDeleted(api, id, handle);
  });

  it('Terminate mid-collection: the reconciler cancels the abandoned collection, which refunds itself', async () => {
    const { api, teamId, handle, id, collectionId } = await creatorMidCollection();

    await suite.stack.client.workflow.getHandle(`creator:${id}`).terminate('operator test');
    const job = await eventually(
      'the collection refunded',
      async () => {
        const res = await api.get(`/v1/tracking/creators/${id}/posts/collect/${collectionId}`);
        return res.body.data.status === 'failed' ? res.body.data : undefined;
      },
      60_000,
    );
    expect(job).toMatchObject({ error: 'cancelled', credits_used: 0 });
    await eventually('the reconciler', async () =>
      (await rowOf('tracked_creators', id))?.status === 'stopped' ? true : undefined,
    );
    suite.provider.releaseAll();
    const { balance } = await expectSettled(teamId);
    expect(balance).toBe(10_000 - 25);
    await expectBehavesAsDeleted(api, id, handle);
  });

  it('once the reconciler has stopped a terminated creator, later passes cost no Temporal call for it', async () => {
    const { teamId, id } = await creatorMidCycle();
    const { pool, client, taskQueue } = suite.stack;
    const workflowId = `creator:${id}`;
    const cycleOf = async () =>
      (
        await pool.query<{ started_at: Date; finished_at: Date }>(
          `SELECT started_at, finished_at FROM tracking_cycles
            WHERE resource_type = 'creator' AND resource_id = $1 AND cycle = 1`,
          [id],
        )
      ).rows[0];
    const { cycle_started_at: cycleStartedAt } = (
      await pool.query<{ cycle_started_at: Date }>('SELECT cycle_started_at FROM tracked_creators WHERE id = $1', [id])
    ).rows[0]!;

    await client.workflow.getHandle(workflowId).terminate('operator test');
    await eventually(
      'the reconciler',
      async () => ((await rowOf('tracked_creators', id))?.status === 'stopped' ? true : undefined),
      60_000,
    );
    suite.provider.releaseAll();
    // the cycle it ended started when the cycle did and finished when the workflow closed
    const { closeTime } = await client.workflow.getHandle(workflowId).describe();
    expect(await cycleOf()).toEqual({ started_at: cycleStartedAt, finished_at: closeTime });

    // the query still finds the execution (a closed execution's search attribute never changes) ...
    const listed: string[] = [];
    for await (const e of client.workflow.list({ query: unstoppedClosedQuery(taskQueue) })) listed.push(e.workflowId);
    expect(listed).toContain(workflowId);
    // ... but a pass, beside the stack's own reconciler, reads its stopped row first and asks Temporal nothing about it
    const handles: string[] = [];
    const reconciler = new TrackingReconciler({ pool, client: handleCounting(client, handles), taskQueue });
    const ledger = await ledgerOf(pool, teamId);
    const cycle = await cycleOf();
    for (let pass = 0; pass < 2; pass++) expect(await reconciler.reconcile()).toEqual([]);
    expect(handles).not.toContain(workflowId);
    expect(await ledgerOf(pool, teamId)).toEqual(ledger);
    expect(ledger.balance).toBe(10_000);
    expect(await cycleOf()).toEqual(cycle);
    expect((await stoppedEvents(id)).map((e) => e.data.stop_reason)).toEqual(['terminated']);
  });

  it('runs a cycle now: 202 with the pending job, a second snapshot with deltas, and the schedule from it', async () => {
    const { api, teamId, key: teamKey } = await team();
    const { id, detail } = await trackAndFinalize(api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: handleOf(),
    });
    const ran = await api.post(`/v1/tracking/creators/${id}/cycles`);
    expect(ran.status).toBe(202);
    expect(ran.body.data).toMatchObject({
      id,
      cycle: 2,
      status: 'processing',
      credits_reserved: 25,
      finalized: false,
      pending_jobs: [{ type: 'tracking_report', status: 'processing', poll_url: `/v1/tracking/creators/${id}` }],
    });
    const after = await eventually('the forced cycle', async () => {
      const res = await api.get(`/v1/tracking/creators/${id}`);
      return res.body.data.finalized && res.body.data.cycles_completed === 2 ? res.body.data : undefined;
    });
    const snapshots = await api.get(`/v1/tracking/creators/${id}/snapshots`);
    expect(snapshots.body.data).toHaveLength(2);
    expect(snapshots.body.data[1].delta_followers).not.toBeNull();
    // the next run is one interval (daily) after the forced cycle, not the first cycle's schedule
    expect(Date.parse(after.next_scrape_at)).toBeGreaterThan(Date.parse(detail.next_scrape_at));
    const { entries, balance } = await expectSettled(teamId);
    expect(entries.filter((e) => e.kind === 'capture')).toHaveLength(2);
    expect(balance).toBe(10_000 - 50);
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${id}`, 'creator-run-now');

    // a client retrying with the same Idempotency-Key gets the cycle it started, charged once
    const runNow = (key: string) =>
      fetch(`${suite.stack.baseUrl}/v1/tracking/creators/${id}/cycles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${teamKey}`, 'idempotency-key': key },
      });
    const first = await runNow('retry-after-timeout');
    expect(first.status).toBe(202);
    const cycle = ((await first.json()) as { data: { cycle: number } }).data.cycle;
    await eventually('the keyed cycle', async () => {
      const res = await api.get(`/v1/tracking/creators/${id}`);
      return res.body.data.finalized && res.body.data.cycles_completed === 3 ? true : undefined;
    });
    const repeat = await runNow('retry-after-timeout');
    expect(repeat.status).toBe(202);
    expect(((await repeat.json()) as { data: { cycle: number } }).data.cycle).toBe(cycle);
    expect((await runNow('not a token')).status).toBe(400);
    const settled = await expectSettled(teamId);
    expect(settled.entries.filter((e) => e.kind === 'capture')).toHaveLength(3);
    expect(settled.balance).toBe(10_000 - 75);
  });

  it('refuses a cycle while one runs (409), without the credits (402), and for unknown or foreign ids (404)', async () => {
    const { api } = await team();
    const handle = handleOf();
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle });
    suite.provider.hold(handle);
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).status).toBe(202);
    const busy = await api.post(`/v1/tracking/creators/${id}/cycles`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('already running');
    suite.provider.releaseAll();

    const poor = await team(25);
    const cheap = await trackAndFinalize(poor.api, '/v1/tracking/creators', { platform: 'tiktok', handle: handleOf() });
    const refused = await poor.api.post(`/v1/tracking/creators/${cheap.id}/cycles`);
    expect(refused.status).toBe(402);
    expect((await ledgerOf(suite.stack.pool, poor.teamId)).entries.filter((e) => e.kind === 'reserve')).toHaveLength(1);

    expect((await api.post(`/v1/tracking/creators/${randomUUID()}/cycles`)).status).toBe(404);
    expect((await poor.api.post(`/v1/tracking/creators/${id}/cycles`)).status).toBe(404);
  });

  it('runs a video cycle now', async () => {
    const { api } = await team();
    const url = `https://www.tiktok.com/@${handleOf()}/video/7350${Math.floor(Math.random() * 1e15)}`;
    const { id } = await trackAndFinalize(api, '/v1/tracking/videos', { platform: 'tiktok', url });
    const ran = await api.post(`/v1/tracking/videos/${id}/cycles`);
    expect(ran.status).toBe(202);
    expect(ran.body.data).toMatchObject({ cycle: 2, pending_jobs: [{ poll_url: `/v1/tracking/videos/${id}` }] });
    await eventually('the forced video cycle', async () => {
      const res = await api.get(`/v1/tracking/videos/${id}/snapshots`);
      return res.body.data.length === 2 ? true : undefined;
    });
    expect((await api.delete(`/v1/tracking/videos/${id}`)).status).toBe(204);
    expect((await api.post(`/v1/tracking/videos/${id}/cycles`)).status).toBe(409);
  });

  it('finds workflows by each operator attribute, and keeps an operator’s pause reason', async () => {
    const { api, teamId } = await team();
    const handle = handleOf();
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle });
    const videoId = `7351${Math.floor(Math.random() * 1e15)}`;
    const video = await trackAndFinalize(api, '/v1/tracking/videos', {
      platform: 'tiktok',
      url: `https://www.tiktok.com/@${handle}/video/${videoId}`,
    });
    const collection = await api.post(`/v1/tracking/creators/${id}/posts/collect`, { depth: 'standard' });
    expect(collection.status).toBe(202);
    const { client } = suite.stack;
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
      return found.sort();
    };
    const until = (query: string, expected: string[]) =>
      eventually(`${query} → ${expected.join(', ')}`, async () => {
        const found = await ids(query);
        return JSON.stringify(found) === JSON.stringify([...expected].sort()) ? found : undefined;
      });

    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await until(`TeamId = "${teamId}" AND NextScrapeAt < "${soon}" AND NextScrapeAt > "${new Date().toISOString()}"`, [
      `creator:${id}`,
      `video:${video.id}`,
    ]);
    await until(`VideoId = "${videoId}"`, [`video:${video.id}`]);
    await until(`CreatorId = "${id}" AND JobType = "post_collection" AND Platform = "tiktok"`, [
      `collection:${collection.body.data.collection_id}`,
    ]);
    await until(`TeamId = "${teamId}" AND JobType IS NOT NULL`, [`collection:${collection.body.data.collection_id}`]);

    const wf = client.workflow.getHandle(`creator:${id}`);
    await wf.signal(pauseSignal, 'brand review until Friday');
    await until(`TeamId = "${teamId}" AND PauseReason = "manual"`, [`creator:${id}`]);
    await until(`TeamId = "${teamId}" AND TrackingStatus = "paused" AND NextScrapeAt IS NULL`, [`creator:${id}`]);
    await eventually('the note in the read model', async () =>
      (await rowOf('tracked_creators', id))?.pause_note === 'brand review until Friday' ? true : undefined,
    );
    const detail = await api.get(`/v1/tracking/creators/${id}`);
    expect(detail.body.data).toMatchObject({
      status: 'paused',
      pause_reason: 'manual',
      pause_note: 'brand review until Friday',
      stop_reason: null,
    });
    expect((await wf.query('__temporal_workflow_metadata')) as unknown).toMatchObject({
      currentDetails: expect.stringMatching(
        /^tiktok @\S+ · daily\n\*\*paused\*\* \(manual: brand review until Friday\)/,
      ),
    });
    const signals = (
      (await wf.query('__temporal_workflow_metadata')) as {
        definition: { signalDefinitions: { name: string }[] };
      }
    ).definition.signalDefinitions.map((s) => s.name);
    expect(signals.sort()).toEqual(['internal.jobReserved', 'internal.jobSettling', 'pause', 'resume']);
  });
  /** Resets the workflow, as the UI's Reset does, to the workflow task before the first Update named `update`. */
  async function resetBefore(workflowId: string, update: string): Promise<void> {
    const { client } = suite.stack;
    const handle = client.workflow.getHandle(workflowId);
    const { runId } = await handle.describe();
    const events = (await handle.fetchHistory()).events ?? [];
    const accepted = events.findIndex(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === update,
    );
    expect(accepted).toBeGreaterThan(0);
    const point = events
      .slice(0, accepted)
      .reverse()
      .find((e) => e.workflowTaskCompletedEventAttributes);
    await client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId },
      reason: 'operator test: reset',
      workflowTaskFinishEventId: point?.eventId,
      requestId: randomUUID(),
      resetReapplyType: 2, // RESET_REAPPLY_TYPE_NONE: the Updates after the point are not sent again
    });
    expect((await handle.describe()).runId).not.toBe(runId);
  }

  const snapshotCycles = async (id: string) =>
    (
      await suite.stack.pool.query<{ cycle: number }>(
        'SELECT cycle FROM creator_snapshots WHERE tracking_account_id = $1 ORDER BY cycle',
        [id],
      )
    ).rows.map((r) => r.cycle);

  /** Waits until the creator workflow has run `cycle` and is idle. */
  const untilCycleDone = (id: string, cycle: number) =>
    eventually(`cycle ${cycle} done`, async () => {
      const view = await suite.stack.client.workflow.getHandle(`creator:${id}`).query(stateQuery);
      return view.cycle === cycle && !view.cycleRunning ? view : undefined;
    });

  it('Reset to before completed cycles replays them against their own ledger keys: no charge, no second snapshot', async () => {
    const { api, teamId } = await team();
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle: handleOf() });
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).status).toBe(202);
    await untilCycleDone(id, 2);
    await eventually('cycle 2 in the read model', async () =>
      (await api.get(`/v1/tracking/creators/${id}`)).body.data.cycles_completed === 2 ? true : undefined,
    );

    await resetBefore(`creator:${id}`, 'runCycleNow');
    // the new run is back after cycle 1: the next cycle it runs is cycle 2 again
    const again = await api.post(`/v1/tracking/creators/${id}/cycles`);
    expect(again.status).toBe(202);
    expect(again.body.data.cycle).toBe(2);
    await untilCycleDone(id, 2);

    const detail = (await api.get(`/v1/tracking/creators/${id}`)).body.data;
    expect(detail).toMatchObject({
      status: 'active',
      cycles_completed: 2,
      cycles_failed: 0,
      consecutive_failures: 0,
      last_failure: null,
      finalized: true,
    });
    expect(await snapshotCycles(id)).toEqual([1, 2]);
    const { entries, balance } = await expectSettled(teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(2);
    expect(balance).toBe(10_000 - 50);

    // and the schedule goes on: cycle 3 is new, and charged
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).body.data.cycle).toBe(3);
    await untilCycleDone(id, 3);
    expect(await snapshotCycles(id)).toEqual([1, 2, 3]);
    expect((await expectSettled(teamId)).balance).toBe(10_000 - 75);
  });

  it('Reset mid-cycle: the new run takes the cycle up again with the reservation already made, charged once', async () => {
    const { api, teamId } = await team();
    const handle = handleOf();
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle });
    suite.provider.hold(handle);
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).status).toBe(202);
    await eventually('cycle 2 reserved', async () =>
      (await rowOf('tracked_creators', id))?.cycle_in_progress === 2 ? true : undefined,
    );

    await resetBefore(`creator:${id}`, 'runCycleNow');
    suite.provider.releaseAll();
    expect((await api.post(`/v1/tracking/creators/${id}/cycles`)).body.data.cycle).toBe(2);
    await untilCycleDone(id, 2);

    expect(await rowOf('tracked_creators', id)).toMatchObject({ status: 'active', cycle_in_progress: null });
    expect(await snapshotCycles(id)).toEqual([1, 2]);
    const { entries, balance } = await expectSettled(teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(2);
    expect(balance).toBe(10_000 - 50);
    // the run the reset closed is not mistaken for a terminated entity
    await suite.stack.reconciler?.reconcile();
    expect((await rowOf('tracked_creators', id))?.status).toBe('active');
  });

  it('Reset mid-collection: the collection started before the point finishes once, and the slot is free again', async () => {
    const { api, teamId, id, collectionId } = await creatorMidCollection();

    await resetBefore(`creator:${id}`, 'startCollection');
    suite.provider.releaseAll();
    const job = await eventually('the collection', async () => {
      const res = await api.get(`/v1/tracking/creators/${id}/posts/collect/${collectionId}`);
      return res.body.data.status === 'processing' ? undefined : res.body.data;
    });
    expect(job).toMatchObject({ status: 'completed', credits_used: 50 });
    const next = await api.post(`/v1/tracking/creators/${id}/posts/collect`, { depth: 'standard' });
    expect(next.status).toBe(202);
    await eventually('the second collection', async () => {
      const res = await api.get(`/v1/tracking/creators/${id}/posts/collect/${next.body.data.collection_id}`);
      return res.body.data.status === 'completed' ? true : undefined;
    });
    const { entries, balance } = await expectSettled(teamId);
    expect(entries.filter((e) => e.kind === 'capture')).toHaveLength(3);
    expect(balance).toBe(10_000 - 25 - 50 - 50);
    expect((await rowOf('tracked_creators', id))?.status).toBe('active');
  });
});
