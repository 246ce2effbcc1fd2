import { randomUUID } from 'node:crypto';
import { upsertPosts } from '../../db/posts';
import type { ScrapeCadence } from '../../domain/cadence';
import type { Post } from '../../domain/platform';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../../domain/time';
import {
  type CreatorTrackingInput,
  pauseSignal,
  resumeSignal,
  stateQuery,
  type TrackingView,
} from '../../workflows/messages';
import { DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH } from '../../workflows/tracked-entity';
import { timeSkippingForSuite } from '../helpers/time-skipping';
import { patchIdsOf, recordHistory } from '../helpers/histories';
import { cycleShapes } from '../../scripts/history-shape';
import { ledgerOf, newTeam } from '../helpers/teams';

/**
 * Creator workflows on the time-skipping server: weeks of cycles in seconds, against the real Postgres. Each test has
 * its own team and workflow id; the provider is the embedded simulated one with its fault knobs.
 */
describe('creator tracking workflow (time-skipping)', () => {
  const suite = timeSkippingForSuite({ taskQueue: 'creator-wf' });
  const { provider, taskQueue } = suite;

  async function startCreator(teamId: string, handle: string, cadence: ScrapeCadence) {
    const id = randomUUID();
    const handleObj = await suite.env.client.workflow.start('creatorTrackingWorkflow', {
      taskQueue,
      workflowId: `creator:${id}`,
      args: [{ id, teamId, platform: 'tiktok', handle, cadence } satisfies CreatorTrackingInput],
    });
    return { id, handle: handleObj };
  }

  const cycles = async (id: string) =>
    (
      await suite.pool.query<{ cycle: number; status: string; failure_kind: string | null }>(
        'SELECT cycle, status, failure_kind FROM tracking_cycles WHERE resource_id = $1 ORDER BY cycle',
        [id],
      )
    ).rows;

  const creatorRow = async (id: string) =>
    (await suite.pool.query('SELECT * FROM tracked_creators WHERE id = $1', [id])).rows[0] as Record<string, unknown>;

  it('runs 120 cycles in 30 days at six_hours, charges each once, and continues-as-new with its state intact', async () => {
    const { teamId } = await newTeam(suite.pool, 120 * 25 + 100);
    const { id, handle } = await startCreator(teamId, 'month.long', 'six_hours');
    const firstRunId = handle.firstExecutionRunId;
    await suite.env.sleep(30 * DAY - HOUR);

    const done = await cycles(id);
    expect(done).toHaveLength(120);
    expect(done.every((c) => c.status === 'completed')).toBe(true);
    expect(done.map((c) => c.cycle)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));

    const snapshots = await suite.pool.query<{ snapshot_at: Date; delta_followers: number | null }>(
      'SELECT snapshot_at, delta_followers FROM creator_snapshots WHERE tracking_account_id = $1 ORDER BY cycle',
      [id],
    );
    expect(snapshots.rows).toHaveLength(120);
    expect(snapshots.rows[0]?.delta_followers).toBeNull();
    // each cycle runs when due (task latency aside) and the schedule does not drift across 120 cycles
    const times = snapshots.rows.map((s) => s.snapshot_at.getTime());
    for (let i = 1; i < times.length; i++) expect(Math.abs(times[i]! - times[i - 1]! - 6 * HOUR)).toBeLessThan(1000);
    expect(Math.abs(times[119]! - times[0]! - 119 * 6 * HOUR)).toBeLessThan(1000);

    const { entries, balance } = await ledgerOf(suite.pool, teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(120);
    expect(entries.filter((e) => e.kind === 'capture')).toHaveLength(120);
    expect(balance).toBe(100);

    const current = await suite.env.client.workflow.getHandle(`creator:${id}`).describe();
    expect(current.runId).not.toBe(firstRunId);
    const view = await suite.env.client.workflow.getHandle(`creator:${id}`).query(stateQuery);
    expect(view).toMatchObject({ cycle: 120, cadence: 'six_hours', status: 'active', consecutiveFailures: 0 });

    // what a cycle costs in history: registration and the first cycle in 4 steps, every later one in 3 (metrics and
    // report as activities, the outlier check that completes the cycle as a local activity) and at most 24 events
    // from the timer that wakes it to the timer it sets
    const firstRun = await suite.env.client.workflow.getHandle(`creator:${id}`, firstRunId).fetchHistory();
    const { first, steady } = cycleShapes(firstRun.events ?? []);
    // a run that continues as new with nothing in flight decides no patch for it: no marker in the steady state
    expect(patchIdsOf(firstRun.events ?? [])).not.toContain(DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH);
    expect(first).toMatchObject({ activities: 2, localActivities: 2 });
    expect(steady.length).toBeGreaterThan(90);
    for (const cycle of steady) {
      expect(cycle).toMatchObject({ activities: 2, localActivities: 1 });
      expect(cycle.events).toBeLessThanOrEqual(24);
    }
  });

  it('stops cycling while paused and picks up again on resume', async () => {
    const { teamId } = await newTeam(suite.pool, 1000);
    const { id, handle } = await startCreator(teamId, 'pause.me', 'daily');
    await suite.env.sleep(HOUR);
    expect(await cycles(id)).toHaveLength(1);

    await handle.signal(pauseSignal);
    await suite.env.sleep(5 * DAY);
    expect(await cycles(id)).toHaveLength(1);
    expect(await creatorRow(id)).toMatchObject({ status: 'paused', pause_reason: 'manual', next_scrape_at: null });

    await handle.signal(resumeSignal);
    await suite.env.sleep(HOUR);
    expect(await cycles(id)).toHaveLength(2);
    await suite.env.sleep(DAY);
    expect(await cycles(id)).toHaveLength(3);
    expect(await creatorRow(id)).toMatchObject({ status: 'active', pause_reason: null });
  });

  it('flags an old hit that a collection stored but announces only recent outliers', async () => {
    const { teamId } = await newTeam(suite.pool, 1000);
    const { id } = await startCreator(teamId, 'outlier.window', 'six_hours');
    await suite.env.sleep(HOUR);
    expect(await cycles(id)).toHaveLength(1);
    // what a deep collection leaves behind: a year-old hit beside a fresh one, both far above the median (dated by the
    // server's clock, which earlier tests have moved ahead)
    const now = await suite.env.currentTimeMs();
    const hit = (videoId: string, ageDays: number): Post => ({
      platform: 'tiktok',
      platform_video_id: videoId,
      url: `https://www.tiktok.com/@outlier.window/video/${videoId}`,
      title: null,
      description: null,
      thumbnail_url: null,
      published_at: new Date(now - ageDays * DAY).toISOString(),
      duration_seconds: 30,
      views: 1e12,
      likes: null,
      comments: null,
      shares: null,
      bookmarks: null,
      hashtags: [],
      is_duet: null,
      is_stitch: null,
    });
    await upsertPosts(suite.pool, id, [hit('9000000000000000001', 365), hit('9000000000000000002', 1)]);
    await suite.env.sleep(6 * HOUR);
    expect(await cycles(id)).toHaveLength(2);

    const flagged = await suite.pool.query<{ platform_video_id: string }>(
      'SELECT platform_video_id FROM creator_outliers WHERE tracking_account_id = $1',
      [id],
    );
    expect(flagged.rows.map((r) => r.platform_video_id)).toEqual(
      expect.arrayContaining(['9000000000000000001', '9000000000000000002']),
    );
    const announced = await suite.pool.query<{ video: string }>(
      `SELECT data->>'platform_video_id' AS video FROM events
        WHERE resource_id = $1 AND type = 'tracking.outlier_video.detected'`,
      [id],
    );
    const videos = announced.rows.map((r) => r.video);
    expect(videos).toContain('9000000000000000002');
    expect(videos).not.toContain('9000000000000000001');
  });

  it('pauses after three consecutive failed cycles, refunds each one and records tracking.paused once', async () => {
    const { teamId } = await newTeam(suite.pool, 1000);
    provider.setFault('tiktok', 'gone.private', { kind: 'private' });
    const { id, handle } = await startCreator(teamId, 'gone.private', 'twelve_hours');
    await suite.env.sleep(5 * DAY);

    const done = await cycles(id);
    expect(done.map((c) => [c.status, c.failure_kind])).toEqual([
      ['failed', 'private'],
      ['failed', 'private'],
      ['failed', 'private'],
    ]);
    const view: TrackingView = await handle.query(stateQuery);
    expect(view).toMatchObject({ status: 'paused', pauseReason: 'consecutive_failures', consecutiveFailures: 3 });

    const { entries, balance } = await ledgerOf(suite.pool, teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(3);
    expect(entries.filter((e) => e.kind === 'refund')).toHaveLength(3);
    expect(balance).toBe(1000);

    const paused = await suite.pool.query('SELECT data FROM events WHERE resource_id = $1 AND type = $2', [
      id,
      'tracking.paused',
    ]);
    expect(paused.rows).toHaveLength(1);
    expect(paused.rows[0].data).toMatchObject({ pause_reason: 'consecutive_failures', consecutive_failures: 3 });
    expect(await creatorRow(id)).toMatchObject({ status: 'paused', enrichment_status: 'failed', cycles_failed: 3 });
    recordHistory(suite.env.address, `creator:${id}`, 'creator-auto-pause');
  });

  it('pauses with insufficient_credits when the balance cannot pay the next cycle', async () => {
    const { teamId } = await newTeam(suite.pool, 60);
    const { id, handle } = await startCreator(teamId, 'runs.dry', 'daily');
    await suite.env.sleep(4 * DAY);
    expect((await cycles(id)).map((c) => c.status)).toEqual(['completed', 'completed']);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'paused', pauseReason: 'insufficient_credits' });
    expect((await ledgerOf(suite.pool, teamId)).balance).toBe(10);
    const paused = await suite.pool.query('SELECT data FROM events WHERE resource_id = $1 AND type = $2', [
      id,
      'tracking.paused',
    ]);
    expect(paused.rows.map((r) => (r.data as { pause_reason: string }).pause_reason)).toEqual(['insufficient_credits']);
  });

  it('recovers from transient provider outages inside a cycle without failing it', async () => {
    const { teamId } = await newTeam(suite.pool, 1000);
    provider.setFault('tiktok', 'flaky.one', { kind: 'unavailable', times: 2 });
    const { id } = await startCreator(teamId, 'flaky.one', 'daily');
    await suite.env.sleep(HOUR);
    expect((await cycles(id)).map((c) => c.status)).toEqual(['completed']);
    expect((await ledgerOf(suite.pool, teamId)).balance).toBe(975);
  });
});
