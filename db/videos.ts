import { iso } from '../domain/time';
import type { Queryable } from './transaction';
import type { VideoDeltas, VideoMetrics } from '../domain/snapshots';
import {
  findTracked,
  latestTrackedReport,
  listTracked,
  listTrackedSnapshots,
  trackedById,
  trackingJobs,
  type TrackedTableSpec,
} from './tracked';

export interface VideoRow {
  id: string;
  team_id: string;
  tracking_account_id: string | null;
  platform: string;
  platform_video_id: string;
  url: string;
  title: string | null;
  description: string | null;
  author_handle: string | null;
  author_name: string | null;
  thumbnail_url: string | null;
  published_at: Date | null;
  duration_seconds: number | null;
  status: 'active' | 'paused' | 'stopped';
  pause_reason: string | null;
  scrape_cadence: string;
  adaptive_interval_seconds: number | null;
  enrichment_status: 'pending' | 'ready' | 'failed';
  latest_views: number | null;
  latest_likes: number | null;
  latest_comments: number | null;
  latest_shares: number | null;
  latest_bookmarks: number | null;
  growth_rate: number | null;
  true_vpd: number | null;
  accel: number | null;
  lifetime_vpd: number | null;
  is_breakout: boolean;
  is_accelerating: boolean;
  is_peaking: boolean;
  cycles_completed: number;
  cycles_failed: number;
  consecutive_failures: number;
  cycle_in_progress: number | null;
  cycle_started_at: Date | null;
  last_failure: unknown;
  last_scraped_at: Date | null;
  next_scrape_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A stored snapshot: the metrics and deltas of domain/snapshots.ts, keyed by video and cycle. */
export interface VideoSnapshotRow extends VideoMetrics, VideoDeltas {
  id: string;
  tracking_video_id: string;
  cycle: number;
  snapshot_at: Date;
}

export const VIDEO_TABLES: TrackedTableSpec = {
  table: 'tracked_videos',
  snapshots: 'video_snapshots',
  reports: 'video_reports',
  foreignKey: 'tracking_video_id',
  searchColumns: ['title', 'url'],
};

export const videoPath = (id: string): string => `/v1/tracking/videos/${id}`;

export const videoJobs = (row: VideoRow) => trackingJobs(row, videoPath(row.id));

/** The list item shape of `GET /v1/tracking/videos`. */
export function videoListItem(row: VideoRow) {
  return {
    id: row.id,
    platform: row.platform,
    url: row.url,
    title: row.title,
    status: row.status,
    scrape_cadence: row.scrape_cadence,
    latest_views: row.latest_views,
    latest_likes: row.latest_likes,
    latest_comments: row.latest_comments,
    latest_shares: row.latest_shares,
    growth_rate: row.growth_rate,
    enrichment_status: row.enrichment_status,
    last_scraped_at: iso(row.last_scraped_at),
    next_scrape_at: iso(row.next_scrape_at),
    created_at: row.created_at.toISOString(),
  };
}

/** `GET /v1/tracking/videos/:id`, also the `video` of a video's `tracking.cycle.completed` event. */
export function videoDetail(row: VideoRow) {
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
    cycles_completed: row.cycles_completed,
    cycles_failed: row.cycles_failed,
    consecutive_failures: row.consecutive_failures,
    last_failure: row.last_failure,
    last_scraped_at: iso(row.last_scraped_at),
    next_scrape_at: iso(row.next_scrape_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...videoJobs(row),
  };
}

export function videoSnapshotItem(row: VideoSnapshotRow) {
  return {
    id: row.id,
    tracking_video_id: row.tracking_video_id,
    views: row.views,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    bookmarks: row.bookmarks,
    snapshot_at: row.snapshot_at.toISOString(),
    delta_views: row.delta_views,
    delta_likes: row.delta_likes,
    delta_comments: row.delta_comments,
    delta_shares: row.delta_shares,
    delta_bookmarks: row.delta_bookmarks,
  };
}

export const findVideo = (db: Queryable, teamId: string, id: string) =>
  findTracked<VideoRow>(db, VIDEO_TABLES, teamId, id);

export const videoById = (db: Queryable, id: string) => trackedById<VideoRow>(db, VIDEO_TABLES, id);

export const listVideos = (
  db: Queryable,
  teamId: string,
  opts: { page: number; limit: number; platform?: string; search?: string },
) => listTracked<VideoRow>(db, VIDEO_TABLES, teamId, opts);

export const listVideoSnapshots = (db: Queryable, id: string, opts: { start?: Date; end?: Date; limit: number }) =>
  listTrackedSnapshots<VideoSnapshotRow>(db, VIDEO_TABLES, id, opts);

export const latestVideoReport = (db: Queryable, id: string) => latestTrackedReport(db, VIDEO_TABLES, id);
