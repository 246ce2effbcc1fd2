import type { Pool, PoolClient } from 'pg';
import { recordEvent } from '../db/events';
import { cycleReportId } from '../db/tracked';
import {
  VIDEO_TABLES,
  videoById,
  videoDetail,
  videoPath,
  videoSnapshotItem,
  type VideoSnapshotRow,
} from '../db/videos';
import { inTransaction } from '../db/transaction';
import { median } from '../domain/outliers';
import type { Platform, PlatformProvider } from '../domain/platform';
import { growthSummary, videoDeltas, type VideoDeltas, type VideoMetrics } from '../domain/snapshots';
import {
  trajectoryFlags,
  trajectoryTransitions,
  videoTrajectory,
  type TrajectoryFlags,
  type TrajectoryMetrics,
} from '../domain/trajectory';
import type { VideoReportGenerator } from '../domain/video-report';
import type { RegistrationResult } from '../workflows/messages';
import { inRetriedTransaction, withDatabase } from './database-retry';
import { heartbeating } from './heartbeat';
import {
  captureAndRecordCycle,
  registerTracked,
  reserveCycle,
  storeReport,
  writeRecord,
  type SequencedRecord,
} from './tracking';

const REPORT_COMMENTS = 50;
const TRAJECTORY_SNAPSHOTS = 365;

export interface VideoSnapshot extends VideoMetrics, VideoDeltas {
  snapshot_at: string;
}

export interface RegisterVideoInput {
  id: string;
  teamId: string;
  platform: Platform;
  platformVideoId: string;
  url: string;
  authorHandle: string | null;
  trackingAccountId: string | null;
  amountCents: number;
  reservationKey: string;
  startedAt: string;
  record: SequencedRecord;
}

export interface VideoCycleInput {
  id: string;
  teamId: string;
  platform: Platform;
  platformVideoId: string;
  cycle: number;
  cycleAt: string;
}

export interface VideoCycleMetrics {
  snapshot: VideoSnapshot;
  trajectory: TrajectoryMetrics;
  flags: TrajectoryFlags;
}

/** The metrics step reserves the cycle first: it needs the price and the reservation's key. */
export interface VideoMetricsInput extends VideoCycleInput {
  amountCents: number;
  reservationKey: string;
}

export type VideoMetricsResult =
  ({ reserved: true } & VideoCycleMetrics) | { reserved: false; balanceCents: number | null };

export interface CompleteVideoCycleInput extends VideoCycleInput, VideoCycleMetrics {
  reservationKey: string;
  captureKey: string;
  adaptiveIntervalMs: number | null;
  record: SequencedRecord;
}

export interface VideoActivityDeps {
  pool: Pool;
  provider: PlatformProvider;
  videoReportGenerator: VideoReportGenerator;
}

async function storedSeries(db: Pool | PoolClient, id: string, beforeCycle: number): Promise<VideoSnapshotRow[]> {
  const result = await db.query<VideoSnapshotRow>(
    `SELECT * FROM (SELECT * FROM video_snapshots WHERE tracking_video_id = $1 AND cycle < $2
       ORDER BY cycle DESC LIMIT $3) recent ORDER BY cycle`,
    [id, beforeCycle, TRAJECTORY_SNAPSHOTS],
  );
  return result.rows;
}

export function createVideoActivities({ pool, provider, videoReportGenerator }: VideoActivityDeps) {
  return {
    /** Registers the video with its first reservation (see `registerTracked`). */
    async registerVideo(input: RegisterVideoInput): Promise<RegistrationResult> {
      return registerTracked(
        pool,
        { resourceType: 'video', cycle: 1, ...input },
        async (client) => {
          await client.query(
            `INSERT INTO tracked_videos (id, team_id, tracking_account_id, platform, platform_video_id, url,
               author_handle, author_name, scrape_cadence)
             VALUES ($1, $2, $3, $4, $5, $6, $7,
               (SELECT display_name FROM tracked_creators WHERE id = $3), $8)
             ON CONFLICT (id) DO NOTHING`,
            [
              input.id,
              input.teamId,
              input.trackingAccountId,
              input.platform,
              input.platformVideoId,
              input.url,
              input.authorHandle,
              input.record.cadence,
            ],
          );
        },
        {
          constraint: 'tracked_videos_one_live',
          find: async () =>
            (
              await pool.query<{ id: string }>(
                `SELECT id FROM tracked_videos
                  WHERE team_id = $1 AND platform = $2 AND platform_video_id = $3 AND deleted_at IS NULL`,
                [input.teamId, input.platform, input.platformVideoId],
              )
            ).rows[0]?.id,
        },
      );
    },

    /** Reads the video's metrics, refreshes its details and returns the snapshot with deltas and its trajectory. */
    collectVideoMetrics: heartbeating(async (input: VideoMetricsInput): Promise<VideoMetricsResult> => {
      const reservation = await reserveCycle(pool, { resourceType: 'video', ...input, startedAt: input.cycleAt });
      if (!reservation.reserved) return reservation;
      const { url } = await withDatabase(() => videoById(pool, input.id));
      const post = await provider.getPost(input.platform, input.platformVideoId, { url });
      const series = await inRetriedTransaction(pool, async (client) => {
        await client.query(
          `UPDATE tracked_videos SET title = $2, description = $3, thumbnail_url = $4, published_at = $5,
             duration_seconds = $6, updated_at = now() WHERE id = $1`,
          [input.id, post.title, post.description, post.thumbnail_url, post.published_at, post.duration_seconds],
        );
        return storedSeries(client, input.id, input.cycle);
      });
      const metrics: VideoMetrics = {
        views: post.views,
        likes: post.likes,
        comments: post.comments,
        shares: post.shares,
        bookmarks: post.bookmarks,
      };
      const previous = series[series.length - 1] ?? null;
      const snapshot: VideoSnapshot = { ...metrics, ...videoDeltas(previous, metrics), snapshot_at: input.cycleAt };
      const { metrics: trajectory } = videoTrajectory(
        [
          ...series.map((s) => ({ captured_at: s.snapshot_at, views: s.views })),
          { captured_at: input.cycleAt, views: post.views },
        ],
        { publishedAt: post.published_at, now: new Date(input.cycleAt) },
      );
      return { reserved: true, snapshot, trajectory, flags: trajectoryFlags(trajectory) };
    }),

    /** Writes the cycle's video report from its snapshots, recent comments and the creator's median views. */
    generateVideoReport: heartbeating(
      async (input: VideoCycleInput & { snapshot: VideoSnapshot }): Promise<{ reportId: string }> => {
        const done = await withDatabase(() => cycleReportId(pool, VIDEO_TABLES, input.id, input.cycle));
        if (done) return { reportId: done };
        // everything stored is read before the paid calls below, so an outage never repeats those calls
        const { video, creatorViews, series } = await withDatabase(async () => {
          const video = await videoById(pool, input.id);
          const creatorViews = video.tracking_account_id
            ? await pool.query<{ views: number }>(
                'SELECT views FROM creator_posts WHERE tracking_account_id = $1 AND views IS NOT NULL',
                [video.tracking_account_id],
              )
            : undefined;
          return { video, creatorViews, series: await storedSeries(pool, input.id, input.cycle) };
        });
        const comments = await provider.listComments(input.platform, input.platformVideoId, {
          limit: REPORT_COMMENTS,
          url: video.url,
        });
        const s = input.snapshot;
        const report = await videoReportGenerator.generate({
          video: {
            platform: input.platform,
            title: video.title,
            published_at: video.published_at,
            duration_seconds: video.duration_seconds,
            views: s.views,
            likes: s.likes,
            comments: s.comments,
            shares: s.shares,
            bookmarks: s.bookmarks,
          },
          snapshots: [...series, s],
          comments: comments.comments.map((c) => ({ text: c.text, likes: c.likes })),
          creatorMedianViews: creatorViews ? median(creatorViews.rows.map((r) => r.views)) : null,
          now: new Date(input.cycleAt),
        });
        return { reportId: await storeReport(pool, VIDEO_TABLES, input, report) };
      },
    ),

    /**
     * Captures and records the cycle in one transaction: the snapshot, the read model (metrics, trajectory, schedule),
     * `tracking.cycle.completed`, and one event per trajectory flag that turned on since the last cycle.
     */
    async completeVideoCycle(input: CompleteVideoCycleInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        const { first } = await captureAndRecordCycle(client, { resourceType: 'video', ...input });
        const s = input.snapshot;
        await client.query(
          `INSERT INTO video_snapshots (tracking_video_id, cycle, views, likes, comments, shares, bookmarks,
             delta_views, delta_likes, delta_comments, delta_shares, delta_bookmarks, snapshot_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (tracking_video_id, cycle) DO NOTHING`,
          [
            input.id,
            input.cycle,
            s.views,
            s.likes,
            s.comments,
            s.shares,
            s.bookmarks,
            s.delta_views,
            s.delta_likes,
            s.delta_comments,
            s.delta_shares,
            s.delta_bookmarks,
            s.snapshot_at,
          ],
        );
        const before = await client.query<{ is_breakout: boolean; is_accelerating: boolean; is_peaking: boolean }>(
          'SELECT is_breakout, is_accelerating, is_peaking FROM tracked_videos WHERE id = $1 FOR UPDATE',
          [input.id],
        );
        const was = before.rows[0];
        const series = await client.query<{ views: number | null; snapshot_at: Date }>(
          `SELECT views, snapshot_at FROM video_snapshots
            WHERE tracking_video_id = $1 AND snapshot_at >= $2::timestamptz - interval '60 days'`,
          [input.id, s.snapshot_at],
        );
        // the same trailing-window growth as creators, measured on views
        const growth = growthSummary(
          series.rows.map((r) => ({ followers: r.views, snapshot_at: r.snapshot_at })),
          new Date(s.snapshot_at),
        );
        const t = input.trajectory;
        await client.query(
          `UPDATE tracked_videos SET
             latest_views = $2, latest_likes = $3, latest_comments = $4, latest_shares = $5, latest_bookmarks = $6,
             growth_rate = $7, true_vpd = $8, accel = $9, lifetime_vpd = $10,
             is_breakout = $11, is_accelerating = $12, is_peaking = $13,
             enrichment_status = 'ready', last_scraped_at = $14, consecutive_failures = 0, last_failure = NULL,
             cycles_completed = cycles_completed + $15, cycle_in_progress = NULL, cycle_started_at = NULL,
             adaptive_interval_seconds = $16
           WHERE id = $1`,
          [
            input.id,
            s.views,
            s.likes,
            s.comments,
            s.shares,
            s.bookmarks,
            growth.growth_rate,
            t.true_vpd,
            t.accel,
            t.lifetime_vpd,
            input.flags.breakout,
            input.flags.accelerating,
            input.flags.peaking,
            s.snapshot_at,
            first ? 1 : 0,
            input.adaptiveIntervalMs === null ? null : Math.round(input.adaptiveIntervalMs / 1000),
          ],
        );
        await writeRecord(client, { resourceType: 'video', ...input }, input.record);
        const video = await videoById(client, input.id);
        const stored = await client.query<VideoSnapshotRow>(
          'SELECT * FROM video_snapshots WHERE tracking_video_id = $1 AND cycle = $2',
          [input.id, input.cycle],
        );
        const snapshot = stored.rows[0] ? videoSnapshotItem(stored.rows[0]) : null;
        await recordEvent(client, {
          key: `video:${input.id}:cycle:${input.cycle}:completed`,
          teamId: input.teamId,
          type: 'tracking.cycle.completed',
          resourceType: 'video',
          resourceId: input.id,
          data: {
            resource_type: 'video',
            cycle: input.cycle,
            video: videoDetail(video),
            snapshot,
            url: videoPath(input.id),
          },
        });
        const previousFlags = was
          ? { breakout: was.is_breakout, accelerating: was.is_accelerating, peaking: was.is_peaking }
          : null;
        for (const type of trajectoryTransitions(previousFlags, input.flags)) {
          await recordEvent(client, {
            key: `video:${input.id}:cycle:${input.cycle}:${type}`,
            teamId: input.teamId,
            type,
            resourceType: 'video',
            resourceId: input.id,
            data: {
              id: input.id,
              cycle: input.cycle,
              platform: input.platform,
              platform_video_id: input.platformVideoId,
              url: video.url,
              true_vpd: t.true_vpd,
              accel: t.accel,
              lifetime_vpd: t.lifetime_vpd,
              peaking: t.peaking,
              snapshots: t.n,
              resource_url: videoPath(input.id),
            },
          });
        }
      });
    },
  };
}
