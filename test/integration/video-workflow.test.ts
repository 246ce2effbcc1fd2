import { randomUUID } from 'node:crypto';
import type { TrackingCadence } from '../../domain/cadence';
import {
  ADAPTIVE_BOUNDS,
  nextAdaptiveIntervalMs,
  trajectoryFlags,
  trajectoryTransitions,
  videoTrajectory,
  type TrajectoryFlags,
} from '../../domain/trajectory';
import type { Platform, Post } from '../../domain/platform';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../../domain/time';
import { SimulatedProvider } from '../../providers/simulated';
import { stateQuery, type VideoTrackingInput } from '../../workflows/messages';
import { activityClock } from '../helpers/activity-clock';
import { ledgerOf, newTeam } from '../helpers/teams';
import { timeSkippingForSuite } from '../helpers/time-skipping';

/** A TikTok video id as the platform makes them: publish time (unix seconds) in the upper 32 bits. */
function tiktokVideoId(publishedAt: Date, low: number): string {
  return ((BigInt(Math.floor(publishedAt.getTime() / 1000)) << 32n) | BigInt(low)).toString();
}

/**
 * The simulated platform, except that scripted videos follow a given views curve: a month-old video that suddenly
 * takes off and burns out, which the simulated one (whose views only saturate) never does.
 */
class ScriptedPlatform extends SimulatedProvider {
  private readonly curves = new Map<string, (atMs: number) => number>();

  script(videoId: string, curve: (atMs: number) => number): void {
    this.curves.set(videoId, curve);
  }

  override async getPost(platform: Platform, videoId: string): Promise<Post> {
    const post = await super.getPost(platform, videoId);
    const curve = this.curves.get(videoId);
    return curve ? { ...post, views: Math.round(curve(activityClock().getTime())) } : post;
  }
}

describe('video tracking workflow (time-skipping)', () => {
  const suite = timeSkippingForSuite({ taskQueue: 'video-wf', provider: new ScriptedPlatform({ now: activityClock }) });
  const { provider, taskQueue } = suite;

  async function startVideo(teamId: string, cadence: TrackingCadence, chosenVideoId?: string) {
    const id = randomUUID();
    // fixed low bits: the same simulated creator every run, so the test does not depend on a random draw
    const videoId = chosenVideoId ?? tiktokVideoId(new Date((await suite.env.currentTimeMs()) - 2 * HOUR), 7_340_033);
    const handle = await suite.env.client.workflow.start('videoTrackingWorkflow', {
      taskQueue,
      workflowId: `video:${id}`,
      args: [
        {
          id,
          teamId,
          platform: 'tiktok',
          videoId,
          url: `https://www.tiktok.com/@someone/video/${videoId}`,
          authorHandle: 'someone',
          creatorId: null,
          cadence,
        } satisfies VideoTrackingInput,
      ],
    });
    return { id, handle };
  }

  const snapshots = async (id: string) =>
    (
      await suite.pool.query<{ views: number; snapshot_at: Date; cycle: number }>(
        'SELECT views, snapshot_at, cycle FROM video_snapshots WHERE tracking_video_id = $1 ORDER BY cycle',
        [id],
      )
    ).rows;

  /** The trajectory as the cycle that took snapshot `i` measured it. */
  const trajectoryAt = async (id: string, series: Awaited<ReturnType<typeof snapshots>>, i: number) => {
    const video = await suite.pool.query<{ published_at: Date }>(
      'SELECT published_at FROM tracked_videos WHERE id = $1',
      [id],
    );
    return videoTrajectory(
      series.slice(0, i + 1).map((s) => ({ captured_at: s.snapshot_at, views: s.views })),
      { publishedAt: video.rows[0]?.published_at ?? null, now: series[i]!.snapshot_at },
    ).metrics;
  };

  it('polls an adaptive video fast while it is young and slows to the cap as it cools, 25 credits a cycle', async () => {
    const { teamId } = await newTeam(suite.pool, 100_000);
    const { id, handle } = await startVideo(teamId, 'adaptive');
    await suite.env.sleep(21 * DAY);

    const series = await snapshots(id);
    expect(series.length).toBeGreaterThan(5);
    const gaps = series.slice(1).map((s, i) => s.snapshot_at.getTime() - series[i]!.snapshot_at.getTime());
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(ADAPTIVE_BOUNDS.minMs - 1000);
      expect(gap).toBeLessThanOrEqual(ADAPTIVE_BOUNDS.maxMs + 1000);
    }
    expect(gaps[0]).toBeLessThan(6 * HOUR);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0]! * 4);

    // every interval is the one the pure rule gives for the trajectory measured at that cycle
    let previous: number | null = null;
    for (let i = 0; i < gaps.length; i++) {
      const metrics = await trajectoryAt(id, series, i);
      const chosen: number = nextAdaptiveIntervalMs(metrics, previous);
      expect(Math.abs(gaps[i]! - chosen)).toBeLessThan(1000);
      previous = chosen;
    }

    const { entries } = await ledgerOf(suite.pool, teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(series.length);
    expect(entries.filter((e) => e.kind === 'capture')).toHaveLength(series.length);
    const row = (await suite.pool.query('SELECT * FROM tracked_videos WHERE id = $1', [id])).rows[0];
    // the next run is anchored to when the last cycle was due, a few milliseconds before its snapshot
    const untilNext = row.next_scrape_at.getTime() - series[series.length - 1]!.snapshot_at.getTime();
    expect(Math.abs(untilNext - row.adaptive_interval_seconds * 1000)).toBeLessThan(1000);
    expect(await handle.query(stateQuery)).toMatchObject({ cadence: 'adaptive', status: 'active' });
  });

  it('records breakout, accelerating and peaking once per false-to-true transition of the trajectory', async () => {
    const { teamId } = await newTeam(suite.pool, 100_000);
    const now = await suite.env.currentTimeMs();
    const videoId = tiktokVideoId(new Date(now - 30 * DAY), 104_729);
    // a 50k-view month-old video that goes viral: logistic growth to +2M views centred on day 4.1
    provider.script(videoId, (at) => 50_000 + 2_000_000 / (1 + Math.exp(-((at - now) / DAY - 4.1) / 0.3)));
    const { id } = await startVideo(teamId, 'six_hours', videoId);
    // short of the 41st cycle, due at exactly 10 days: it would run while the assertions read
    await suite.env.sleep(10 * DAY - HOUR);

    const series = await snapshots(id);
    expect(series).toHaveLength(40);
    const expected: string[] = [];
    let before: TrajectoryFlags | null = null;
    for (let i = 0; i < series.length; i++) {
      const metrics = await trajectoryAt(id, series, i);
      const flags = trajectoryFlags(metrics);
      for (const type of trajectoryTransitions(before, flags)) expected.push(`${series[i]!.cycle}:${type}`);
      before = flags;
    }
    const events = await suite.pool.query<{ type: string; data: { cycle: number } }>(
      `SELECT type, data FROM events WHERE resource_id = $1 AND type IN ('breakout', 'accelerating', 'peaking')`,
      [id],
    );
    expect(expected.map((e) => e.split(':')[1])).toEqual(
      expect.arrayContaining(['breakout', 'accelerating', 'peaking']),
    );
    expect(events.rows.map((e) => `${e.data.cycle}:${e.type}`).sort()).toEqual(expected.sort());
    const completed = await suite.pool.query('SELECT 1 FROM events WHERE resource_id = $1 AND type = $2', [
      id,
      'tracking.cycle.completed',
    ]);
    expect(completed.rowCount).toBe(40);
  });
});
