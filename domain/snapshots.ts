/** Snapshot arithmetic: deltas between consecutive snapshots, post-summed views and follower growth. Pure. */
import { DAY_MS } from './time';

/** A creator's metrics at one point in time; `null` where the platform does not expose the metric. */
export interface CreatorMetrics {
  followers: number | null;
  following: number | null;
  total_videos: number | null;
  /** YouTube: the profile's own count. TikTok/Instagram: summed over collected posts (see `totalViewsFromPosts`). */
  total_views: number | null;
  total_likes: number | null;
  /** how many posts contributed to `total_views` on TikTok/Instagram */
  collected_post_count: number | null;
  subscribers: number | null;
}

export interface CreatorDeltas {
  delta_followers: number | null;
  delta_following: number | null;
  delta_total_videos: number | null;
  delta_total_views: number | null;
  delta_total_likes: number | null;
}

export interface VideoMetrics {
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  bookmarks: number | null;
}

export interface VideoDeltas {
  delta_views: number | null;
  delta_likes: number | null;
  delta_comments: number | null;
  delta_shares: number | null;
  delta_bookmarks: number | null;
}

// a metric missing on either side has no honest change: null, never 0
function delta(prev: number | null | undefined, next: number | null): number | null {
  return prev === null || prev === undefined || next === null ? null : next - prev;
}

/** Change from the previous snapshot; every delta is null for the first snapshot (`prev` null). */
export function creatorDeltas(prev: CreatorMetrics | null, next: CreatorMetrics): CreatorDeltas {
  return {
    delta_followers: delta(prev?.followers, next.followers),
    delta_following: delta(prev?.following, next.following),
    delta_total_videos: delta(prev?.total_videos, next.total_videos),
    delta_total_views: delta(prev?.total_views, next.total_views),
    delta_total_likes: delta(prev?.total_likes, next.total_likes),
  };
}

/** Change from the previous video snapshot, with the same null rules as `creatorDeltas`. */
export function videoDeltas(prev: VideoMetrics | null, next: VideoMetrics): VideoDeltas {
  return {
    delta_views: delta(prev?.views, next.views),
    delta_likes: delta(prev?.likes, next.likes),
    delta_comments: delta(prev?.comments, next.comments),
    delta_shares: delta(prev?.shares, next.shares),
    delta_bookmarks: delta(prev?.bookmarks, next.bookmarks),
  };
}

/**
 * TikTok and Instagram expose no profile-level view count, so `total_views` is the sum of views over the collected
 * posts (one entry per distinct post). Posts whose views are unknown are left out of both the sum and
 * `collected_post_count`; `total_views` is null when no post has a view count.
 */
export function totalViewsFromPosts(posts: readonly { views: number | null }[]): {
  total_views: number | null;
  collected_post_count: number;
} {
  let total = 0;
  let count = 0;
  for (const { views } of posts) {
    if (views === null || !Number.isFinite(views)) continue;
    total += views;
    count += 1;
  }
  return { total_views: count === 0 ? null : total, collected_post_count: count };
}

export interface GrowthSummary {
  followers_gained: number | null;
  growth_rate: number | null;
}

/**
 * Follower growth over a trailing window, as listed on tracked creators (`followers_gained`, `growth_rate`).
 *
 * Only snapshots taken at or before `now` with a non-null `followers` count are used.
 * - latest: the most recent of them.
 * - base: the most recent one taken at or before `now − windowDays` (the count when the window opened). When tracking
 *   started inside the window there is none, and base is the earliest snapshot instead. So on a cadence slower than the
 *   window (weekly, monthly) the figures cover the time since the last snapshot before the window.
 * - followers_gained = latest.followers − base.followers (negative when the creator lost followers).
 * - growth_rate = followers_gained ÷ base.followers × 100, rounded to 2 decimals: a percentage, 1.5 means +1.5 %.
 *
 * Both are null when base is not older than latest (fewer than two usable snapshots, none taken after the window
 * opened, or only snapshots sharing one timestamp). growth_rate alone is null when base.followers is 0.
 */
export function growthSummary(
  snapshots: readonly { followers: number | null; snapshot_at: Date }[],
  now: Date,
  windowDays = 7,
): GrowthSummary {
  const nowMs = now.getTime();
  const usable = snapshots
    .map((s) => ({ followers: s.followers, at: s.snapshot_at.getTime() }))
    .filter((s): s is { followers: number; at: number } => {
      return s.followers !== null && Number.isFinite(s.followers) && Number.isFinite(s.at) && s.at <= nowMs;
    })
    .sort((a, b) => a.at - b.at);
  const latest = usable[usable.length - 1];
  const first = usable[0];
  if (latest === undefined || first === undefined) return { followers_gained: null, growth_rate: null };

  const windowStart = nowMs - windowDays * DAY_MS;
  let base = first;
  for (const s of usable) {
    if (s.at > windowStart) break;
    base = s;
  }
  if (base.at >= latest.at) return { followers_gained: null, growth_rate: null };

  const gained = latest.followers - base.followers;
  return {
    followers_gained: gained,
    growth_rate: base.followers === 0 ? null : round2((gained / base.followers) * 100),
  };
}

function round2(x: number): number {
  // symmetric rounding, and never a -0 in JSON
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
