/** Outlier videos: posts that beat the creator's median views by a threshold (3× by default). Pure. */
import { DAY_MS } from './time';

/** Median of the finite values; null when there are none. */
export function median(values: readonly number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface OutlierCandidatePost {
  platform_video_id: string;
  url: string;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  published_at: string | Date;
}

export interface OutlierOptions {
  /** a post is an outlier when views ≥ threshold × median views; default 3 */
  threshold?: number;
  /** fewer posts with known views than this and no post is flagged; default 5 */
  minPosts?: number;
  /** ids flagged by earlier cycles: each video is flagged once */
  alreadyFlagged: ReadonlySet<string> | readonly string[];
  now: Date;
}

export interface OutlierVideo {
  platform_video_id: string;
  url: string;
  views: number;
  median_views: number;
  /** views ÷ median_views, rounded to 2 decimals */
  outlier_ratio: number;
  /** 0–100, see `weightedOutlierScore` */
  weighted_score: number;
  /**
   * published within `OUTLIER_ANNOUNCE_WINDOW_DAYS` of `now`: only such posts are announced by the webhook event. An
   * older post (say, a year-old hit that a deep collection just stored) is flagged, so it is never announced later,
   * but it is not news.
   */
  announce: boolean;
}

export const DEFAULT_OUTLIER_THRESHOLD = 3;
export const DEFAULT_OUTLIER_MIN_POSTS = 5;
/** How recent a post must be for its detection to be announced (`tracking.outlier_video.detected`). */
export const OUTLIER_ANNOUNCE_WINDOW_DAYS = 30;

const RATIO_CEILING = 100;
const ENGAGEMENT_CEILING = 0.1;
const FRESHNESS_HALF_LIFE_DAYS = 30;
const UNKNOWN_FACTOR = 0.5;

/**
 * weighted_score, 0–100, ranks outliers for the `tracking.outlier_video.detected` webhook:
 *
 *   weighted_score = round2(100 × R × (0.6 + 0.25 × E + 0.15 × F))
 *
 *   R (ratio)      = clamp(log10(views ÷ median_views) / log10(100), 0, 1), on the unrounded ratio:
 *                    1× → 0, 3× → 0.24, 10× → 0.5, 100× and above → 1
 *   E (engagement) = clamp(engagement_rate / 0.10, 0, 1), engagement_rate = (likes + comments + shares) ÷ views, a
 *                    missing count adding 0; E = 0.5 when all three are missing (unknown is neither rewarded nor punished)
 *   F (freshness)  = 0.5 ^ (age_days / 30): published now → 1, 30 days ago → 0.5, 90 days ago → 0.125; a date after
 *                    `now` counts as age 0 and an unparseable date gives F = 0.5
 *
 * The ratio sets the ceiling; engagement and freshness move the score within 60–100 % of it. So the score never
 * decreases as the outlier ratio grows (at a fixed engagement rate and age), as likes, comments or shares grow (at
 * fixed views), or as the post is newer.
 */
export function weightedOutlierScore(
  post: Pick<OutlierCandidatePost, 'views' | 'likes' | 'comments' | 'shares' | 'published_at'>,
  medianViews: number,
  now: Date,
): number {
  const views = post.views ?? 0;
  const ratio = medianViews > 0 ? views / medianViews : 0;
  const r = ratio > 0 ? clamp01(Math.log10(ratio) / Math.log10(RATIO_CEILING)) : 0;

  const counts = [post.likes, post.comments, post.shares].filter((c): c is number => c !== null && Number.isFinite(c));
  const e =
    counts.length === 0 || views <= 0
      ? UNKNOWN_FACTOR
      : clamp01(counts.reduce((a, b) => a + Math.max(0, b), 0) / views / ENGAGEMENT_CEILING);

  const publishedMs = new Date(post.published_at).getTime();
  const f = Number.isNaN(publishedMs)
    ? UNKNOWN_FACTOR
    : Math.pow(0.5, Math.max(0, now.getTime() - publishedMs) / DAY_MS / FRESHNESS_HALF_LIFE_DAYS);

  return round2(100 * r * (0.6 + 0.25 * e + 0.15 * f));
}

/**
 * Posts whose views are at least `threshold` × the creator's median views (the median over every given post with a
 * known view count, the outliers included), minus the ids in `alreadyFlagged`, each id at most once. Nothing is flagged
 * when fewer than `minPosts` posts have view counts or the median is 0. Highest weighted_score first.
 */
export function detectOutliers(posts: readonly OutlierCandidatePost[], opts: OutlierOptions): OutlierVideo[] {
  const threshold = opts.threshold ?? DEFAULT_OUTLIER_THRESHOLD;
  const minPosts = opts.minPosts ?? DEFAULT_OUTLIER_MIN_POSTS;
  if (!(threshold > 0) || !Number.isFinite(threshold)) throw new RangeError(`threshold must be > 0, got ${threshold}`);

  const withViews = posts.filter((p): p is OutlierCandidatePost & { views: number } => isCount(p.views));
  if (withViews.length === 0 || withViews.length < minPosts) return [];
  const medianViews = median(withViews.map((p) => p.views));
  if (medianViews === null || medianViews <= 0) return [];

  const skip = new Set<string>(opts.alreadyFlagged);
  const found: OutlierVideo[] = [];
  for (const post of withViews) {
    if (skip.has(post.platform_video_id) || post.views < threshold * medianViews) continue;
    skip.add(post.platform_video_id);
    found.push({
      platform_video_id: post.platform_video_id,
      url: post.url,
      views: post.views,
      median_views: medianViews,
      outlier_ratio: round2(post.views / medianViews),
      weighted_score: weightedOutlierScore(post, medianViews, opts.now),
      announce: isRecent(post.published_at, opts.now),
    });
  }
  return found.sort(
    (a, b) =>
      b.weighted_score - a.weighted_score ||
      b.views - a.views ||
      (a.platform_video_id < b.platform_video_id ? -1 : a.platform_video_id > b.platform_video_id ? 1 : 0),
  );
}

/** Published within the announce window before `now` (a date after `now` counts as now; an unparseable one does not). */
function isRecent(publishedAt: string | Date, now: Date): boolean {
  const publishedMs = new Date(publishedAt).getTime();
  return !Number.isNaN(publishedMs) && now.getTime() - publishedMs <= OUTLIER_ANNOUNCE_WINDOW_DAYS * DAY_MS;
}

function isCount(v: number | null): v is number {
  return v !== null && Number.isFinite(v) && v >= 0;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
