import type { Pool } from 'pg';
import { recordEvent } from '../db/events';
import { postViews } from '../db/posts';
import { cycleReportId, trailingSeries } from '../db/tracked';
import {
  insertVideo,
  insertVideoSnapshot,
  liveVideoByPlatformId,
  lockTrajectoryFlags,
  recordVideoCycle,
  updateVideoDetails,
  VIDEO_TABLES,
  videoById,
  videoPath,
  videoSnapshotOfCycle,
  videoSnapshotsBefore,
} from '../db/videos';
import { inTransaction, type Queryable } from '../db/transaction';
import { videoDetail, videoSnapshotItem } from '../api/schemas/videos';
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
  type RegistrationInput,
  type SequencedRecord,
} from './tracking';

const REPORT_COMMENTS = 50;
const TRAJECTORY_SNAPSHOTS = 365;

export interface VideoSnapshot extends VideoMetrics, VideoDeltas {
  snapshot_at: string;
}

export interface RegisterVideoInput extends RegistrationInput {
  platformVideoId: string;
  url: string;
  authorHandle: string | null;
  trackingAccountId: string | null;
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

const storedSeries = (db: Queryable, id: string, beforeCycle: number) =>
  videoSnapshotsBefore(db, id, beforeCycle, TRAJECTORY_SNAPSHOTS);

export function createVideoActivities({ pool, provider, videoReportGenerator }: VideoActivityDeps) {
  return {
    /** Registers the video with its first reservation (see `registerTracked`). */
    async registerVideo(input: RegisterVideoInput): Promise<RegistrationResult> {
      return registerTracked(
        pool,
        { resourceType: 'video', cycle: 1, ...input },
        (client) => insertVideo(client, { ...input, cadence: input.record.cadence }),
        {
          constraint: 'tracked_videos_one_live',
          find: async () =>
            (await liveVideoByPlatformId(pool, input.teamId, input.platform, input.platformVideoId))?.id,
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
        await updateVideoDetails(client, input.id, post);
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
            ? (await postViews(pool, video.tracking_account_id)).filter((views) => views !== null)
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
          creatorMedianViews: creatorViews ? median(creatorViews) : null,
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
        await insertVideoSnapshot(client, input.id, input.cycle, s);
        const previousFlags = (await lockTrajectoryFlags(client, input.id)) ?? null;
        const series = await trailingSeries(client, VIDEO_TABLES, input.id, s.snapshot_at);
        // the same trailing-window growth as creators, measured on views
        const growth = growthSummary(
          series.map((r) => ({ followers: r.value, snapshot_at: r.snapshot_at })),
          new Date(s.snapshot_at),
        );
        const t = input.trajectory;
        await recordVideoCycle(client, input.id, { ...input, snapshot: s, growth, counted: first });
        await writeRecord(client, { resourceType: 'video', ...input }, input.record);
        const video = await videoById(client, input.id);
        const stored = await videoSnapshotOfCycle(client, input.id, input.cycle);
        const snapshot = stored ? videoSnapshotItem(stored) : null;
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
