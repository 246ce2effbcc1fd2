import type { Queryable } from './transaction';
import type { TrackingCadence } from '../domain/cadence';
import type { Platform, Post } from '../domain/platform';
import type { GrowthSummary, VideoDeltas, VideoMetrics } from '../domain/snapshots';
import type { TrajectoryFlags, TrajectoryMetrics } from '../domain/trajectory';
import type { PauseReason, StopReason } from '../workflows/messages';
import {
  everyColumn,
  TRACKED_ROW_COLUMNS,
  findTracked,
  isoColumn,
  latestTrackedReport,
  listTrackedJson,
  listTrackedSnapshots,
  ownedSnapshotsJson,
  snapshotOfCycle,
  trackedById,
  type TrackedTableSpec,
} from './tracked';

export interface VideoRow {
  id: string;
  team_id: string;
  tracking_account_id: string | null;
  platform: Platform;
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
  pause_reason: PauseReason | null;
  /** the text an operator gave with a manual pause from the Temporal UI */
  pause_note: string | null;
  /** why tracking stopped (migration 0013); null while tracking and on rows stopped before it */
  stop_reason: StopReason | null;
  scrape_cadence: TrackingCadence;
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
  /** as `markCycleFailed` writes it (activities/tracking.ts); cleared by the next completed cycle */
  last_failure: { kind: string; message: string; cycle: number; at: string } | null;
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

/** A snapshot as `GET .../snapshots` reads it (`VIDEO_TABLES.snapshotColumns`): `snapshot_at` as text, no cycle. */
export interface VideoSnapshotItemRow extends Omit<VideoSnapshotRow, 'cycle' | 'snapshot_at'> {
  snapshot_at: string;
}

export const VIDEO_TABLES: TrackedTableSpec = {
  table: 'tracked_videos',
  snapshots: 'video_snapshots',
  reports: 'video_reports',
  foreignKey: 'tracking_video_id',
  searchColumns: ['title', 'url'],
  growthMetric: 'views',
  listColumns: `id, platform, url, title, status, scrape_cadence, latest_views, latest_likes, latest_comments,
    latest_shares, growth_rate, enrichment_status, ${isoColumn('last_scraped_at')}, ${isoColumn('next_scrape_at')},
    ${isoColumn('created_at')}`,
  snapshotColumns: `id, tracking_video_id, views, likes, comments, shares, bookmarks, ${isoColumn('snapshot_at')},
    delta_views, delta_likes, delta_comments, delta_shares, delta_bookmarks`,
  rowColumns: everyColumn<VideoRow>()(
    'tracking_account_id',
    'platform_video_id',
    'url',
    'title',
    'description',
    'author_handle',
    'author_name',
    'thumbnail_url',
    'published_at',
    'duration_seconds',
    'adaptive_interval_seconds',
    'latest_views',
    'latest_likes',
    'latest_comments',
    'latest_shares',
    'latest_bookmarks',
    'true_vpd',
    'accel',
    'lifetime_vpd',
    'is_breakout',
    'is_accelerating',
    'is_peaking',
    ...TRACKED_ROW_COLUMNS,
  ),
};

export const videoPath = (id: string): string => `/v1/tracking/videos/${id}`;

export const findVideo = (db: Queryable, teamId: string, id: string) =>
  findTracked<VideoRow>(db, VIDEO_TABLES, teamId, id);

export const videoById = (db: Queryable, id: string) => trackedById<VideoRow>(db, VIDEO_TABLES, id);

/** A page of the team's live rows as a JSON array text of list items (`listColumns`), with the total. */
export const listVideos = (
  db: Queryable,
  teamId: string,
  opts: { page: number; limit: number; platform?: string; search?: string },
) => listTrackedJson(db, VIDEO_TABLES, teamId, opts);

/** The team's row's snapshots in the window as a JSON array text (`snapshotColumns`); undefined if not the team's. */
export const ownedVideoSnapshots = (
  db: Queryable,
  teamId: string,
  id: string,
  opts: { start?: Date; end?: Date; limit: number },
) => ownedSnapshotsJson(db, VIDEO_TABLES, teamId, id, opts);

export const listVideoSnapshots = (db: Queryable, id: string, opts: { start?: Date; end?: Date; limit: number }) =>
  listTrackedSnapshots<VideoSnapshotItemRow>(db, VIDEO_TABLES, id, opts);

export const latestVideoReport = (db: Queryable, id: string) => latestTrackedReport(db, VIDEO_TABLES, id);

/** A team's live (not stopped) video by platform and the platform's id for it. */
export async function liveVideoByPlatformId(
  db: Queryable,
  teamId: string,
  platform: string,
  platformVideoId: string,
): Promise<VideoRow | undefined> {
  const result = await db.query<VideoRow>(
    `SELECT * FROM tracked_videos
      WHERE team_id = $1 AND platform = $2 AND platform_video_id = $3 AND deleted_at IS NULL`,
    [teamId, platform, platformVideoId],
  );
  return result.rows[0];
}

/**
 * Creates the video's row with its author's name when the creator is tracked (a retried registration finds it); the
 * index `tracked_videos_one_live` refuses a second live row for the same team and video.
 */
export async function insertVideo(
  db: Queryable,
  video: {
    id: string;
    teamId: string;
    trackingAccountId: string | null;
    platform: Platform;
    platformVideoId: string;
    url: string;
    authorHandle: string | null;
    cadence: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO tracked_videos (id, team_id, tracking_account_id, platform, platform_video_id, url,
       author_handle, author_name, scrape_cadence)
     VALUES ($1, $2, $3, $4, $5, $6, $7,
       (SELECT display_name FROM tracked_creators WHERE id = $3), $8)
     ON CONFLICT (id) DO NOTHING`,
    [
      video.id,
      video.teamId,
      video.trackingAccountId,
      video.platform,
      video.platformVideoId,
      video.url,
      video.authorHandle,
      video.cadence,
    ],
  );
}

/** Refreshes the details read from the platform. */
export async function updateVideoDetails(db: Queryable, id: string, post: Post): Promise<void> {
  await db.query(
    `UPDATE tracked_videos SET title = $2, description = $3, thumbnail_url = $4, published_at = $5,
       duration_seconds = $6, updated_at = now() WHERE id = $1`,
    [id, post.title, post.description, post.thumbnail_url, post.published_at, post.duration_seconds],
  );
}

/** The `limit` snapshots of the cycles before `beforeCycle`, oldest first. */
export async function videoSnapshotsBefore(
  db: Queryable,
  id: string,
  beforeCycle: number,
  limit: number,
): Promise<VideoSnapshotRow[]> {
  const result = await db.query<VideoSnapshotRow>(
    `SELECT * FROM (SELECT * FROM video_snapshots WHERE tracking_video_id = $1 AND cycle < $2
       ORDER BY cycle DESC LIMIT $3) recent ORDER BY cycle`,
    [id, beforeCycle, limit],
  );
  return result.rows;
}

/** Stores a cycle's snapshot once (a retried step finds it). */
export async function insertVideoSnapshot(
  db: Queryable,
  id: string,
  cycle: number,
  s: VideoMetrics & VideoDeltas & { snapshot_at: string },
): Promise<void> {
  await db.query(
    `INSERT INTO video_snapshots (tracking_video_id, cycle, views, likes, comments, shares, bookmarks,
       delta_views, delta_likes, delta_comments, delta_shares, delta_bookmarks, snapshot_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tracking_video_id, cycle) DO NOTHING`,
    [
      id,
      cycle,
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
}

/** The trajectory flags stored so far, with the row locked until the transaction ends. */
export async function lockTrajectoryFlags(db: Queryable, id: string): Promise<TrajectoryFlags | undefined> {
  const result = await db.query<{ is_breakout: boolean; is_accelerating: boolean; is_peaking: boolean }>(
    'SELECT is_breakout, is_accelerating, is_peaking FROM tracked_videos WHERE id = $1 FOR UPDATE',
    [id],
  );
  const row = result.rows[0];
  return row && { breakout: row.is_breakout, accelerating: row.is_accelerating, peaking: row.is_peaking };
}

/**
 * A completed cycle in the read model: latest metrics, growth, trajectory and flags, the adaptive interval, ready,
 * no failure streak, no cycle running; the completed count moves only when the cycle was first recorded (`counted`).
 */
export async function recordVideoCycle(
  db: Queryable,
  id: string,
  cycle: {
    snapshot: VideoMetrics & { snapshot_at: string };
    growth: GrowthSummary;
    trajectory: TrajectoryMetrics;
    flags: TrajectoryFlags;
    adaptiveIntervalMs: number | null;
    counted: boolean;
  },
): Promise<void> {
  const s = cycle.snapshot;
  const t = cycle.trajectory;
  await db.query(
    `UPDATE tracked_videos SET
       latest_views = $2, latest_likes = $3, latest_comments = $4, latest_shares = $5, latest_bookmarks = $6,
       growth_rate = $7, true_vpd = $8, accel = $9, lifetime_vpd = $10,
       is_breakout = $11, is_accelerating = $12, is_peaking = $13,
       enrichment_status = 'ready', last_scraped_at = $14, consecutive_failures = 0, last_failure = NULL,
       cycles_completed = cycles_completed + $15, cycle_in_progress = NULL, cycle_started_at = NULL,
       adaptive_interval_seconds = $16
     WHERE id = $1`,
    [
      id,
      s.views,
      s.likes,
      s.comments,
      s.shares,
      s.bookmarks,
      cycle.growth.growth_rate,
      t.true_vpd,
      t.accel,
      t.lifetime_vpd,
      cycle.flags.breakout,
      cycle.flags.accelerating,
      cycle.flags.peaking,
      s.snapshot_at,
      cycle.counted ? 1 : 0,
      cycle.adaptiveIntervalMs === null ? null : Math.round(cycle.adaptiveIntervalMs / 1000),
    ],
  );
}

export const videoSnapshotOfCycle = (db: Queryable, id: string, cycle: number) =>
  snapshotOfCycle<VideoSnapshotRow>(db, VIDEO_TABLES, id, cycle);
