import { iso } from '../domain/time';
import type { Queryable } from './transaction';
import type { CreatorDeltas, CreatorMetrics } from '../domain/snapshots';
import {
  findTracked,
  latestTrackedReport,
  listTracked,
  listTrackedSnapshots,
  trackedById,
  trackingJobs,
  type TrackedTableSpec,
} from './tracked';

export interface CreatorRow {
  id: string;
  team_id: string;
  platform: string;
  platform_handle: string;
  platform_user_id: string | null;
  display_name: string | null;
  avatar_url: string | null;
  profile_url: string | null;
  bio: string | null;
  is_verified: boolean | null;
  category: string | null;
  content_tags: string[];
  profile_metadata: unknown;
  status: 'active' | 'paused' | 'stopped';
  pause_reason: string | null;
  scrape_cadence: string;
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
  last_failure: unknown;
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
};

export const creatorJobs = (row: CreatorRow) => trackingJobs(row, creatorPath(row.id));

/** The list item shape of `GET /v1/tracking/creators`. */
export function creatorListItem(row: CreatorRow) {
  return {
    id: row.id,
    platform: row.platform,
    platform_handle: row.platform_handle,
    display_name: row.display_name,
    status: row.status,
    scrape_cadence: row.scrape_cadence,
    latest_followers: row.latest_followers,
    latest_total_likes: row.latest_total_likes,
    latest_total_videos: row.latest_total_videos,
    growth_rate: row.growth_rate,
    followers_gained: row.followers_gained,
    enrichment_status: row.enrichment_status,
    last_scraped_at: iso(row.last_scraped_at),
    next_scrape_at: iso(row.next_scrape_at),
    created_at: row.created_at.toISOString(),
  };
}

/** `GET /v1/tracking/creators/:id`, also the `creator` of a `tracking.cycle.completed` event. */
export function creatorDetail(row: CreatorRow) {
  return {
    id: row.id,
    platform: row.platform,
    platform_handle: row.platform_handle,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    profile_url: row.profile_url,
    bio: row.bio,
    is_verified: row.is_verified,
    status: row.status,
    pause_reason: row.pause_reason,
    scrape_cadence: row.scrape_cadence,
    enrichment_status: row.enrichment_status,
    latest_followers: row.latest_followers,
    latest_following: row.latest_following,
    latest_total_videos: row.latest_total_videos,
    latest_total_likes: row.latest_total_likes,
    latest_total_views: row.latest_total_views,
    latest_subscribers: row.latest_subscribers,
    growth_rate: row.growth_rate,
    followers_gained: row.followers_gained,
    cycles_completed: row.cycles_completed,
    cycles_failed: row.cycles_failed,
    consecutive_failures: row.consecutive_failures,
    last_failure: row.last_failure,
    last_scraped_at: iso(row.last_scraped_at),
    next_scrape_at: iso(row.next_scrape_at),
    category: row.category,
    content_tags: row.content_tags,
    profile_metadata: row.profile_metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...creatorJobs(row),
  };
}

export function snapshotItem(row: SnapshotRow) {
  return {
    id: row.id,
    tracking_account_id: row.tracking_account_id,
    followers: row.followers,
    following: row.following,
    total_videos: row.total_videos,
    total_views: row.total_views,
    total_likes: row.total_likes,
    collected_post_count: row.collected_post_count,
    subscribers: row.subscribers,
    snapshot_at: row.snapshot_at.toISOString(),
    delta_followers: row.delta_followers,
    delta_following: row.delta_following,
    delta_total_videos: row.delta_total_videos,
    delta_total_views: row.delta_total_views,
    delta_total_likes: row.delta_total_likes,
  };
}

export const findCreator = (db: Queryable, teamId: string, id: string) =>
  findTracked<CreatorRow>(db, CREATOR_TABLES, teamId, id);

export const creatorById = (db: Queryable, id: string) => trackedById<CreatorRow>(db, CREATOR_TABLES, id);

export const listCreators = (
  db: Queryable,
  teamId: string,
  opts: { page: number; limit: number; platform?: string; search?: string },
) => listTracked<CreatorRow>(db, CREATOR_TABLES, teamId, opts);

export const listSnapshots = (db: Queryable, id: string, opts: { start?: Date; end?: Date; limit: number }) =>
  listTrackedSnapshots<SnapshotRow>(db, CREATOR_TABLES, id, opts);

export const latestReport = (db: Queryable, id: string) => latestTrackedReport(db, CREATOR_TABLES, id);
