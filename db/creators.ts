import type { Queryable } from './transaction';
import type { ScrapeCadence } from '../domain/cadence';
import type { CreatorDeltas, CreatorMetrics, GrowthSummary } from '../domain/snapshots';
import type { Platform, ProfileMetrics } from '../domain/platform';
import { profileUrlFor } from '../domain/urls';
import type { PauseReason, StopReason } from '../workflows/messages';
import {
  everyColumn,
  TRACKED_ROW_COLUMNS,
  findTracked,
  isoColumn,
  latestTrackedReport,
  listTrackedJson,
  ownedSnapshotsJson,
  snapshotOfCycle,
  trackedById,
  type TrackedTableSpec,
} from './tracked';

export interface CreatorRow {
  id: string;
  team_id: string;
  platform: Platform;
  platform_handle: string;
  platform_user_id: string | null;
  display_name: string | null;
  avatar_url: string | null;
  profile_url: string | null;
  bio: string | null;
  is_verified: boolean | null;
  category: string | null;
  content_tags: string[];
  /** as `updateCreatorProfile` writes it; null until the first profile read */
  profile_metadata: { country: string | null; language: string | null; external_links: string[] } | null;
  status: 'active' | 'paused' | 'stopped';
  pause_reason: PauseReason | null;
  /** the text an operator gave with a manual pause from the Temporal UI */
  pause_note: string | null;
  /** why tracking stopped (migration 0013); null while tracking and on rows stopped before it */
  stop_reason: StopReason | null;
  scrape_cadence: ScrapeCadence;
  enrichment_status: 'pending' | 'ready' | 'failed';
  latest_followers: number | null;
  latest_following: number | null;
  latest_total_videos: number | null;
  latest_total_likes: number | null;
  latest_total_views: number | null;
  latest_subscribers: number | null;
  growth_rate: number | null;
  followers_gained: number | null;
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

/** A stored snapshot: the metrics and deltas of domain/snapshots.ts, keyed by creator and cycle. */
export interface SnapshotRow extends CreatorMetrics, CreatorDeltas {
  id: string;
  tracking_account_id: string;
  cycle: number;
  snapshot_at: Date;
}

export const creatorPath = (id: string): string => `/v1/tracking/creators/${id}`;

export const CREATOR_TABLES: TrackedTableSpec = {
  table: 'tracked_creators',
  snapshots: 'creator_snapshots',
  reports: 'creator_reports',
  foreignKey: 'tracking_account_id',
  searchColumns: ['platform_handle', 'display_name'],
  growthMetric: 'followers',
  listColumns: `id, platform, platform_handle, display_name, status, scrape_cadence, latest_followers, latest_total_likes,
    latest_total_videos, growth_rate, followers_gained, enrichment_status, ${isoColumn('last_scraped_at')},
    ${isoColumn('next_scrape_at')}, ${isoColumn('created_at')}`,
  snapshotColumns: `id, tracking_account_id, followers, following, total_videos, total_views, total_likes,
    collected_post_count, subscribers, ${isoColumn('snapshot_at')}, delta_followers, delta_following, delta_total_videos,
    delta_total_views, delta_total_likes`,
  rowColumns: everyColumn<CreatorRow>()(
    'platform_handle',
    'platform_user_id',
    'display_name',
    'avatar_url',
    'profile_url',
    'bio',
    'is_verified',
    'category',
    'content_tags',
    'profile_metadata',
    'latest_followers',
    'latest_following',
    'latest_total_videos',
    'latest_total_likes',
    'latest_total_views',
    'latest_subscribers',
    'followers_gained',
    ...TRACKED_ROW_COLUMNS,
  ),
};

export const findCreator = (db: Queryable, teamId: string, id: string) =>
  findTracked<CreatorRow>(db, CREATOR_TABLES, teamId, id);

export const creatorById = (db: Queryable, id: string) => trackedById<CreatorRow>(db, CREATOR_TABLES, id);

/** A page of the team's live rows as a JSON array text of list items (`listColumns`), with the total. */
export const listCreators = (
  db: Queryable,
  teamId: string,
  opts: { page: number; limit: number; platform?: string; search?: string },
) => listTrackedJson(db, CREATOR_TABLES, teamId, opts);

/** The team's row's snapshots in the window as a JSON array text (`snapshotColumns`); undefined if not the team's. */
export const ownedCreatorSnapshots = (
  db: Queryable,
  teamId: string,
  id: string,
  opts: { start?: Date; end?: Date; limit: number },
) => ownedSnapshotsJson(db, CREATOR_TABLES, teamId, id, opts);

export const latestReport = (db: Queryable, id: string) => latestTrackedReport(db, CREATOR_TABLES, id);

/** A team's live (not stopped) creator by platform and handle, handles compared case-insensitively. */
export async function liveCreatorByHandle(
  db: Queryable,
  teamId: string,
  platform: string,
  handle: string,
): Promise<CreatorRow | undefined> {
  const result = await db.query<CreatorRow>(
    `SELECT * FROM tracked_creators
      WHERE team_id = $1 AND platform = $2 AND lower(platform_handle) = lower($3) AND deleted_at IS NULL`,
    [teamId, platform, handle],
  );
  return result.rows[0];
}

/**
 * Creates the creator's row (a retried registration finds it); the index `tracked_creators_one_live` refuses a second
 * live row for the same team, platform and handle.
 */
export async function insertCreator(
  db: Queryable,
  creator: { id: string; teamId: string; platform: Platform; handle: string; cadence: string },
): Promise<void> {
  await db.query(
    `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, profile_url, scrape_cadence)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [
      creator.id,
      creator.teamId,
      creator.platform,
      creator.handle,
      profileUrlFor(creator.platform, creator.handle),
      creator.cadence,
    ],
  );
}

/** Refreshes the profile fields read from the platform. */
export async function updateCreatorProfile(
  db: Queryable,
  id: string,
  profile: ProfileMetrics,
  contentTags: readonly string[],
): Promise<void> {
  await db.query(
    `UPDATE tracked_creators SET platform_user_id = $2, display_name = $3, avatar_url = $4, profile_url = $5,
       bio = $6, is_verified = $7, category = $8, content_tags = $9, profile_metadata = $10, updated_at = now()
     WHERE id = $1`,
    [
      id,
      profile.platform_user_id,
      profile.display_name,
      profile.avatar_url,
      profile.profile_url,
      profile.bio,
      profile.is_verified,
      profile.category,
      contentTags,
      JSON.stringify({
        country: profile.country,
        language: profile.language,
        external_links: profile.external_links,
      }),
    ],
  );
}

/** The snapshot of the latest cycle before `cycle`, the base of its deltas. */
export async function snapshotBefore(db: Queryable, id: string, cycle: number): Promise<SnapshotRow | undefined> {
  const result = await db.query<SnapshotRow>(
    `SELECT * FROM creator_snapshots WHERE tracking_account_id = $1 AND cycle < $2
      ORDER BY cycle DESC LIMIT 1`,
    [id, cycle],
  );
  return result.rows[0];
}

/** The `limit` most recent snapshots, newest first. */
export async function latestSnapshots(db: Queryable, id: string, limit: number): Promise<SnapshotRow[]> {
  const result = await db.query<SnapshotRow>(
    `SELECT * FROM creator_snapshots WHERE tracking_account_id = $1 ORDER BY snapshot_at DESC LIMIT $2`,
    [id, limit],
  );
  return result.rows;
}

/** Stores a cycle's snapshot once (a retried step finds it). */
export async function insertSnapshot(
  db: Queryable,
  id: string,
  cycle: number,
  s: CreatorMetrics & CreatorDeltas & { snapshot_at: string },
): Promise<void> {
  await db.query(
    `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, following, total_videos, total_views,
       total_likes, collected_post_count, subscribers, delta_followers, delta_following, delta_total_videos,
       delta_total_views, delta_total_likes, snapshot_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (tracking_account_id, cycle) DO NOTHING`,
    [
      id,
      cycle,
      s.followers,
      s.following,
      s.total_videos,
      s.total_views,
      s.total_likes,
      s.collected_post_count,
      s.subscribers,
      s.delta_followers,
      s.delta_following,
      s.delta_total_videos,
      s.delta_total_views,
      s.delta_total_likes,
      s.snapshot_at,
    ],
  );
}

/**
 * A completed cycle in the read model: latest metrics, growth, ready, no failure streak, no cycle running; the
 * completed count moves only when the cycle was recorded for the first time (`counted`).
 */
export async function recordCreatorCycle(
  db: Queryable,
  id: string,
  cycle: { snapshot: CreatorMetrics & { snapshot_at: string }; growth: GrowthSummary; counted: boolean },
): Promise<void> {
  const s = cycle.snapshot;
  await db.query(
    `UPDATE tracked_creators SET
       latest_followers = $2, latest_following = $3, latest_total_videos = $4, latest_total_likes = $5,
       latest_total_views = $6, latest_subscribers = $7, growth_rate = $8, followers_gained = $9,
       enrichment_status = 'ready', last_scraped_at = $10, consecutive_failures = 0, last_failure = NULL,
       cycles_completed = cycles_completed + $11, cycle_in_progress = NULL, cycle_started_at = NULL
     WHERE id = $1`,
    [
      id,
      s.followers,
      s.following,
      s.total_videos,
      s.total_likes,
      s.total_views,
      s.subscribers,
      cycle.growth.growth_rate,
      cycle.growth.followers_gained,
      s.snapshot_at,
      cycle.counted ? 1 : 0,
    ],
  );
}

export const creatorSnapshotOfCycle = (db: Queryable, id: string, cycle: number) =>
  snapshotOfCycle<SnapshotRow>(db, CREATOR_TABLES, id, cycle);
