import { z } from 'zod';
import type { LifecycleColumns, StoredReport } from '../../db/tracked';
import { videoPath, type VideoRow, type VideoSnapshotItemRow, type VideoSnapshotRow } from '../../db/videos';
import { VIDEO_CADENCES } from '../../domain/cadence';
import { PLATFORMS } from '../../domain/platform';
import { videoAnalysisSchema } from '../../domain/report-schemas';
import { iso } from '../../domain/time';
import type { Trajectory } from '../../domain/trajectory';
import type { VideoAnalysis } from '../../domain/video-report';
import type { TrackingView } from '../../workflows/messages';
import {
  cycleRecord,
  cycleRecordShape,
  enrichmentStatusSchema,
  orNull,
  pauseNoteSchema,
  pauseReasonSchema,
  stopReasonSchema,
  trackingJobs,
  trackingJobsShape,
  trackingStatusSchema,
} from './tracking';

/**
 * What the API and the webhook events show of a tracked video, each shape beside the mapper that builds it from a
 * row: the mapper's return type is the schema's output, so TypeScript proves they agree.
 */

const timestamp = z.iso.datetime();
const count = z.number().int();
/** a count as the platform reports it; null where the platform does not expose it */
const metric = count.nullable();
const delta = count.nullable().describe('change since the previous snapshot; null on the first or a hidden metric');

export const videoJobs = (row: VideoRow) => trackingJobs(row, videoPath(row.id));

// ---- a tracked video ----

export const videoListItemSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    url: z.string(),
    title: z.string().nullable(),
    status: trackingStatusSchema,
    scrape_cadence: z.enum(VIDEO_CADENCES),
    latest_views: metric,
    latest_likes: metric,
    latest_comments: metric,
    latest_shares: metric,
    growth_rate: z.number().nullable(),
    enrichment_status: enrichmentStatusSchema,
    last_scraped_at: timestamp.nullable(),
    next_scrape_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'VideoListItem' });

export const videoDetailSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    platform_video_id: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    author_handle: z.string().nullable(),
    author_name: z.string().nullable(),
    thumbnail_url: z.string().nullable(),
    published_at: timestamp.nullable(),
    duration_seconds: metric,
    tracking_account_id: z.uuid().nullable().describe('the tracked creator the video was registered under'),
    status: trackingStatusSchema,
    pause_reason: pauseReasonSchema.nullable(),
    pause_note: pauseNoteSchema,
    stop_reason: stopReasonSchema,
    scrape_cadence: z.enum(VIDEO_CADENCES),
    adaptive_interval_seconds: metric.describe('the interval `adaptive` chose last; null for a fixed cadence'),
    enrichment_status: enrichmentStatusSchema,
    latest_views: metric,
    latest_likes: metric,
    latest_comments: metric,
    latest_shares: metric,
    latest_bookmarks: metric,
    growth_rate: z.number().nullable().describe('views growth over the trailing window'),
    trajectory: z.object({
      true_vpd: z.number().nullable().describe('views/day over the last interval'),
      accel: z.number().nullable().describe('change of views/day per day'),
      lifetime_vpd: z.number().nullable().describe('latest views ÷ age in days'),
      breakout: z.boolean(),
      accelerating: z.boolean(),
      peaking: z.boolean(),
    }),
    ...cycleRecordShape,
    created_at: timestamp,
    updated_at: timestamp,
    ...trackingJobsShape,
  })
  .meta({ id: 'VideoDetail' });

/** `GET /v1/tracking/videos/{id}`, also the `video` of a video's `tracking.cycle.completed` event. */
export function videoDetail(row: VideoRow): z.output<typeof videoDetailSchema> {
  return {
    id: row.id,
    platform: row.platform,
    platform_video_id: row.platform_video_id,
    url: row.url,
    title: row.title,
    author_handle: row.author_handle,
    author_name: row.author_name,
    thumbnail_url: row.thumbnail_url,
    published_at: iso(row.published_at),
    duration_seconds: row.duration_seconds,
    tracking_account_id: row.tracking_account_id,
    status: row.status,
    pause_reason: row.pause_reason,
    pause_note: row.pause_note,
    stop_reason: row.stop_reason,
    scrape_cadence: row.scrape_cadence,
    adaptive_interval_seconds: row.adaptive_interval_seconds,
    enrichment_status: row.enrichment_status,
    latest_views: row.latest_views,
    latest_likes: row.latest_likes,
    latest_comments: row.latest_comments,
    latest_shares: row.latest_shares,
    latest_bookmarks: row.latest_bookmarks,
    growth_rate: row.growth_rate,
    trajectory: {
      true_vpd: row.true_vpd,
      accel: row.accel,
      lifetime_vpd: row.lifetime_vpd,
      breakout: row.is_breakout,
      accelerating: row.is_accelerating,
      peaking: row.is_peaking,
    },
    ...cycleRecord(row),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...videoJobs(row),
  };
}

export const videoSnapshotSchema = z
  .object({
    id: z.uuid(),
    tracking_video_id: z.uuid(),
    views: metric,
    likes: metric,
    comments: metric,
    shares: metric,
    bookmarks: metric,
    snapshot_at: timestamp,
    delta_views: delta,
    delta_likes: delta,
    delta_comments: delta,
    delta_shares: delta,
    delta_bookmarks: delta,
  })
  .meta({ id: 'VideoSnapshot' });

/**
 * An item of `GET /v1/tracking/videos/{id}/snapshots` (a `VideoSnapshotItemRow`, its time already text), also the
 * `snapshot` of a video's `tracking.cycle.completed` event (a stored `VideoSnapshotRow`).
 */
export function videoSnapshotItem(row: VideoSnapshotRow | VideoSnapshotItemRow): z.output<typeof videoSnapshotSchema> {
  return {
    id: row.id,
    tracking_video_id: row.tracking_video_id,
    views: row.views,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    bookmarks: row.bookmarks,
    snapshot_at: typeof row.snapshot_at === 'string' ? row.snapshot_at : row.snapshot_at.toISOString(),
    delta_views: row.delta_views,
    delta_likes: row.delta_likes,
    delta_comments: row.delta_comments,
    delta_shares: row.delta_shares,
    delta_bookmarks: row.delta_bookmarks,
  };
}

// ---- the other answers of the videos routes ----

export const videoTrackingAcceptedSchema = z
  .object({
    id: z.uuid(),
    status: trackingStatusSchema,
    message: z.string(),
    ...trackingJobsShape,
  })
  .meta({ id: 'VideoTrackingAccepted' });

export const videoTrackingStateSchema = z
  .object({
    id: z.uuid(),
    status: trackingStatusSchema,
    pause_reason: pauseReasonSchema.nullable(),
    scrape_cadence: z.enum(VIDEO_CADENCES),
    next_scrape_at: timestamp.nullable(),
  })
  .meta({ id: 'VideoTrackingState' });

export const videoAnalysis = videoAnalysisSchema.meta({ id: 'VideoAnalysis' });

export const videoReportSchema = z
  .object({
    video: z.object({
      id: z.uuid(),
      platform: z.enum(PLATFORMS),
      url: z.string(),
      title: z.string().nullable(),
      latest_views: metric,
      latest_likes: metric,
    }),
    analysis: orNull(videoAnalysis).describe('null until the first report is written'),
    analysis_updated_at: timestamp.nullable(),
    model_used: z.string().nullable(),
    enrichment_status: enrichmentStatusSchema,
    ...trackingJobsShape,
  })
  .meta({ id: 'VideoReport' });

export const videoTrajectorySchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    video_id: z.string().describe('the platform’s id for the video'),
    snapshots: z.array(
      z.object({
        captured_at: timestamp,
        views: metric,
        views_per_day: z.number().nullable().describe('views/day since the previous usable snapshot'),
      }),
    ),
    metrics: z.object({
      n: count.describe('usable snapshots'),
      true_vpd: z.number().nullable(),
      accel: z.number().nullable(),
      peaking: z.boolean(),
      lifetime_vpd: z.number().nullable(),
    }),
  })
  .meta({ id: 'VideoTrajectory' });

/** `POST /v1/tracking/videos`: the lifecycle of the video accepted (202) or already tracked (200). */
export function videoAccepted(row: LifecycleColumns, message: string): z.output<typeof videoTrackingAcceptedSchema> {
  return { id: row.id, status: row.status, message, ...trackingJobs(row, videoPath(row.id)) };
}

/** `PATCH /v1/tracking/videos/{id}`: the state the workflow reports after the change. */
export function videoTrackingState(row: VideoRow, view: TrackingView): z.output<typeof videoTrackingStateSchema> {
  return {
    id: row.id,
    status: view.status,
    pause_reason: view.pauseReason,
    scrape_cadence: view.cadence,
    next_scrape_at: view.nextScrapeAt,
  };
}

/**
 * `GET /v1/tracking/videos/{id}/report`. The stored analysis is jsonb (`unknown` to the row type): the heuristic
 * generator's output, or a model's answer checked against `videoAnalysisSchema` before it was stored.
 */
export function videoReport(row: VideoRow, report: StoredReport | undefined): z.output<typeof videoReportSchema> {
  return {
    video: {
      id: row.id,
      platform: row.platform,
      url: row.url,
      title: row.title,
      latest_views: row.latest_views,
      latest_likes: row.latest_likes,
    },
    analysis: report ? (report.analysis as VideoAnalysis) : null,
    analysis_updated_at: report ? report.created_at.toISOString() : null,
    model_used: report?.model_used ?? null,
    enrichment_status: row.enrichment_status,
    ...videoJobs(row),
  };
}

/** `GET /v1/tracking/videos/{id}/trajectory`. */
export function videoTrajectoryView(row: VideoRow, trajectory: Trajectory): z.output<typeof videoTrajectorySchema> {
  return { id: row.id, platform: row.platform, video_id: row.platform_video_id, ...trajectory };
}

// ---- examples, shown in the document ----

export const EXAMPLE_VIDEO_ID = '3f9a1c2e-8b4d-4e6f-a1b2-c3d4e5f6a7b8';
export const EXAMPLE_CREATOR_ID = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d';

export const videoDetailExample: z.input<typeof videoDetailSchema> = {
  id: EXAMPLE_VIDEO_ID,
  platform: 'tiktok',
  platform_video_id: '7350123456789012345',
  url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
  title: 'When the life hack is just common sense',
  author_handle: 'khaby.lame',
  author_name: 'Khabane lame',
  thumbnail_url: 'https://p16-sign.tiktokcdn.com/obj/7350123456789012345.jpeg',
  published_at: '2026-11-28T17:04:00.000Z',
  duration_seconds: 21,
  tracking_account_id: EXAMPLE_CREATOR_ID,
  status: 'active',
  pause_reason: null,
  pause_note: null,
  stop_reason: null,
  scrape_cadence: 'adaptive',
  adaptive_interval_seconds: 7_200,
  enrichment_status: 'ready',
  latest_views: 4_812_300,
  latest_likes: 612_004,
  latest_comments: 8_120,
  latest_shares: 21_377,
  latest_bookmarks: 40_211,
  growth_rate: 38.2,
  trajectory: {
    true_vpd: 3_640_600,
    accel: 3_466_933.33,
    lifetime_vpd: 1_725_525.9,
    breakout: true,
    accelerating: true,
    peaking: false,
  },
  cycles_completed: 4,
  cycles_failed: 0,
  consecutive_failures: 0,
  last_failure: null,
  last_scraped_at: '2026-12-01T12:00:00.000Z',
  next_scrape_at: '2026-12-01T14:00:00.000Z',
  created_at: '2026-11-30T12:00:00.000Z',
  updated_at: '2026-12-01T12:00:04.512Z',
  finalized: true,
  pending_jobs: [],
};

export const videoSnapshotExample: z.input<typeof videoSnapshotSchema> = {
  id: '5b2c8d1e-0f3a-4c6b-9e7d-2a1b3c4d5e6f',
  tracking_video_id: EXAMPLE_VIDEO_ID,
  views: 4_812_300,
  likes: 612_004,
  comments: 8_120,
  shares: 21_377,
  bookmarks: 40_211,
  snapshot_at: '2026-12-01T12:00:00.000Z',
  delta_views: 910_150,
  delta_likes: 9_870,
  delta_comments: 140,
  delta_shares: 512,
  delta_bookmarks: 733,
};
