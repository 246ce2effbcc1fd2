/**
 * Statistics for Satellite one-off analyses: the video outlier analysis (one video against its creator's recent
 * videos) and the aggregate stats of a TikTok sound lookup. Pure: no I/O, no clock (`now` is always a parameter).
 *
 * Conventions shared by every function here:
 * - A "count" (views, likes, a duration…) is usable when it is a finite number ≥ 0. null, negative, NaN and ±Infinity
 *   are ignored, never treated as 0: a platform may hide a count, and a hidden count is not a zero.
 * - Derived values (averages, ratios, deviations, percentiles, rates) are rounded half away from zero to 2 decimals
 *   (`round2`) at the end of the computation, never in between; the engagement rate, a fraction, to 4. Medians and totals of integer counts are returned
 *   exactly (a median of integers is an integer or ends in .5).
 */
import { median } from './outliers';
import { DAY_MS } from './time';

export { median };

export type PerformanceLabel = 'viral' | 'above_average' | 'average' | 'below_average';

/** Label thresholds on the outlier score (views ÷ the creator's median views); each bound is inclusive. */
export const PERFORMANCE_THRESHOLDS = { viral: 5, above_average: 2, average: 0.5 } as const;

/**
 * Label for an outlier score: ≥ 5 → 'viral', ≥ 2 → 'above_average', ≥ 0.5 → 'average', otherwise 'below_average'
 * (each bound inclusive, so exactly 5 is 'viral').
 *
 * null (unknown: the video's views are hidden, the creator has no usable views, or the creator's median is 0) →
 * 'average'. Unknown is neither rewarded nor punished (the same stance as `weightedOutlierScore`'s unknown factor):
 * calling a video whose views a platform hides 'below_average' would state an underperformance nobody measured.
 * NaN is treated like null.
 */
export function performanceLabel(outlierScore: number | null): PerformanceLabel {
  if (outlierScore === null || Number.isNaN(outlierScore)) return 'average';
  if (outlierScore >= PERFORMANCE_THRESHOLDS.viral) return 'viral';
  if (outlierScore >= PERFORMANCE_THRESHOLDS.above_average) return 'above_average';
  if (outlierScore >= PERFORMANCE_THRESHOLDS.average) return 'average';
  return 'below_average';
}

export interface OutlierAnalysis {
  /** creator videos with a usable view count */
  videos_analyzed: number;
  /** exact median of the analyzed views; null when none */
  median_views: number | null;
  /** mean of the analyzed views, 2 decimals; null when none */
  avg_views: number | null;
  /** target views ÷ median_views, 2 decimals; null when the target's views are unknown or the median is 0 or absent */
  outlier_score: number | null;
  /** mid-rank percentile of the target among the analyzed views (see `percentileOf`), 2 decimals */
  percentile: number | null;
  /** population standard deviation of the analyzed views (see `stdDeviation`), 2 decimals */
  std_deviation: number | null;
  /** (target − mean) ÷ std_deviation on unrounded values, 2 decimals; null when the deviation is 0 or unknown */
  z_score: number | null;
  /** `performanceLabel(outlier_score)` of the reported (rounded) score, so a client can reproduce it */
  performance_label: PerformanceLabel;
}

/**
 * Outlier analysis of one video (`targetViews`) against its creator's recent videos (`creatorViews`).
 *
 * The statistics are over `creatorViews` exactly as given: whether the target itself is among them is the caller's
 * choice (normally it is, when the target is one of the creator's ~100 most recent videos; it is never added here).
 * Unusable views (null, negative, non-finite) are ignored in both arguments; an unusable target makes outlier_score,
 * percentile and z_score null and the label 'average'.
 *
 * - std_deviation: POPULATION standard deviation (÷ n): the analyzed videos are the whole set being described, not a
 *   sample of a larger population, and it is defined (0) for a single video.
 * - percentile: mid-rank, 100 × (videos below + ½ × videos equal) ÷ n. Ties share one percentile; a video equal to
 *   every analyzed video (one video, or all views equal) sits at 50; above all → 100; below all → 0.
 * - z_score: null when the deviation is 0 (one video, or all views equal): there is no spread to measure against.
 * - performance_label: from the rounded outlier_score as reported, so score and label never disagree on screen.
 */
export function outlierAnalysis(creatorViews: readonly (number | null)[], targetViews: number | null): OutlierAnalysis {
  const views = usable(creatorViews);
  const target = isCount(targetViews) ? targetViews : null;
  const med = median(views);
  const avg = mean(views);
  const sd = stdDeviation(views);

  const outlierScore = target !== null && med !== null && med > 0 ? round2(target / med) : null;
  const percentile = target === null ? null : percentileOf(views, target);
  const z = target !== null && avg !== null && sd !== null && sd > 0 ? round2((target - avg) / sd) : null;

  return {
    videos_analyzed: views.length,
    median_views: med,
    avg_views: avg === null ? null : round2(avg),
    outlier_score: outlierScore,
    percentile,
    std_deviation: sd === null ? null : round2(sd),
    z_score: z,
    performance_label: performanceLabel(outlierScore),
  };
}

/** Arithmetic mean of the usable counts, unrounded; null when there are none. */
export function mean(values: readonly (number | null)[]): number | null {
  const xs = usable(values);
  if (xs.length === 0) return null;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * POPULATION standard deviation (√(Σ(x − mean)² ÷ n)) of the usable counts, unrounded; 0 for a single value, null
 * when there are none. Computed in two passes around the mean (no catastrophic cancellation on large view counts).
 */
export function stdDeviation(values: readonly (number | null)[]): number | null {
  const xs = usable(values);
  const m = mean(xs);
  if (m === null) return null;
  const variance = xs.reduce((acc, x) => acc + (x - m) * (x - m), 0) / xs.length;
  return Math.sqrt(variance);
}

/**
 * Mid-rank percentile of `target` among the usable counts in `values`, 0–100, 2 decimals:
 * 100 × (count of values < target + ½ × count of values = target) ÷ n. null when `values` has no usable count or the
 * target is not a usable count. Ties share one percentile, it never decreases as the target grows, a target above
 * every value gets 100 and below every value 0, a target equal to the only value (or to all of them) 50.
 */
export function percentileOf(values: readonly (number | null)[], target: number | null): number | null {
  if (!isCount(target)) return null;
  const xs = usable(values);
  if (xs.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const x of xs) {
    if (x < target) below += 1;
    else if (x === target) equal += 1;
  }
  return round2((100 * (below + equal / 2)) / xs.length);
}

/**
 * Quantiles of the usable counts by linear interpolation between closest ranks (the "type 7" definition, numpy's and
 * spreadsheets' default): for q in [0, 1], h = (n − 1) × q, result = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋]) on the
 * sorted values. So q = 0 is the min, q = 1 the max and q = 0.5 the median. Unrounded. Every entry is null when there
 * are no usable values; a q outside [0, 1] or NaN throws a RangeError.
 */
export function quantiles(values: readonly (number | null)[], qs: readonly number[]): (number | null)[] {
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  }
  const xs = usable(values).sort((a, b) => a - b);
  if (xs.length === 0) return qs.map(() => null);
  return qs.map((q) => {
    const h = (xs.length - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, xs.length - 1);
    return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
  });
}

export interface CountSummary {
  /** usable values counted */
  count: number;
  /** exact sum; 0 when there are none */
  total: number;
  /** mean, 2 decimals */
  avg: number | null;
  /** exact median */
  median: number | null;
  max: number | null;
  min: number | null;
}

/** `{ total, avg, median, max, min }` of the usable counts (the sound lookup's `stats.views` block, plus `count`). */
export function summarize(values: readonly (number | null)[]): CountSummary {
  const xs = usable(values);
  const m = mean(xs);
  return {
    count: xs.length,
    total: xs.reduce((a, b) => a + b, 0),
    avg: m === null ? null : round2(m),
    median: median(xs),
    max: xs.length === 0 ? null : Math.max(...xs),
    min: xs.length === 0 ? null : Math.min(...xs),
  };
}

/**
 * Engagement rate = (likes + comments + shares) ÷ views over the same videos, as a fraction (0.05 = 5 %), 4 decimals.
 * Pass totals. An unusable like/comment/share count adds 0; null when views are unusable or 0.
 */
export function engagementRate(
  likes: number | null,
  comments: number | null,
  shares: number | null,
  views: number | null,
): number | null {
  if (!isCount(views) || views === 0) return null;
  const sum = [likes, comments, shares].reduce<number>((acc, c) => acc + (isCount(c) ? c : 0), 0);
  return Math.round((sum / views) * 10_000) / 10_000;
}

/**
 * Counts per bucket. `edges` are ascending bucket boundaries; value v falls in bucket i when edges[i−1] ≤ v < edges[i]
 * (bucket 0: v < edges[0]; the last bucket: v ≥ the last edge), so the result has edges.length + 1 counts. Unusable
 * values are not counted. Throws a RangeError when the edges are not strictly ascending finite numbers.
 */
export function bucketCounts(values: readonly (number | null)[], edges: readonly number[]): number[] {
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i]!) || (i > 0 && !(edges[i]! > edges[i - 1]!))) {
      throw new RangeError(`bucket edges must be strictly ascending finite numbers, got ${edges.join(', ')}`);
    }
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of usable(values)) {
    let i = 0;
    while (i < edges.length && v >= edges[i]!) i += 1;
    counts[i]! += 1;
  }
  return counts;
}

export interface DurationDistribution {
  under_15s: number;
  between_15_30s: number;
  between_30_60s: number;
  over_60s: number;
}

/**
 * Video durations in seconds bucketed as the sound lookup's `duration_distribution`: under_15s = [0, 15),
 * between_15_30s = [15, 30), between_30_60s = [30, 60] (a 60-second video, TikTok's old cap, counts here),
 * over_60s = (60, ∞). Counts only; an unknown duration is not counted, so the counts may sum to less than the videos.
 */
export function durationDistribution(durationsSeconds: readonly (number | null)[]): DurationDistribution {
  const xs = usable(durationsSeconds);
  const [under15, from15, from30] = bucketCounts(
    xs.filter((d) => d <= 60),
    [15, 30],
  );
  return {
    under_15s: under15!,
    between_15_30s: from15!,
    between_30_60s: from30!,
    over_60s: xs.filter((d) => d > 60).length,
  };
}

export interface RankedGroup {
  key: string;
  /** items in the group */
  count: number;
  /** sum of the group's usable values */
  total: number;
}

/**
 * Groups items by `keyOf` (items whose key is null or '' are skipped), sums `valueOf` per group (unusable values add 0
 * but the item still counts), and returns the top `limit` groups by total, then count, then key ascending: a stable,
 * deterministic order. Built for top creators (key: unique id, so a creator using the sound several times appears
 * once) and top hashtags (key: the lower-cased tag; normalize before grouping).
 */
export function rankGroups<T>(
  items: readonly T[],
  keyOf: (item: T) => string | null,
  valueOf: (item: T) => number | null,
  limit: number,
): RankedGroup[] {
  const groups = new Map<string, RankedGroup>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null || key === '') continue;
    const value = valueOf(item);
    const group = groups.get(key) ?? { key, count: 0, total: 0 };
    group.count += 1;
    group.total += isCount(value) ? value : 0;
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.total - a.total || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, Math.max(0, Math.floor(limit)));
}

/**
 * View velocity of one video in views per day: views ÷ max(age in days, 1), age = now − published, 2 decimals. A video
 * younger than a day (or dated after `now`) counts as one day old, so a fresh video's velocity is its views so far and
 * a few early views are never extrapolated into a huge rate. null when views are unusable or either date invalid.
 */
export function viewsPerDay(views: number | null, publishedAt: Date | string | null, now: Date): number | null {
  if (!isCount(views) || publishedAt === null) return null;
  const published = new Date(publishedAt).getTime();
  const nowMs = now.getTime();
  if (!Number.isFinite(published) || !Number.isFinite(nowMs)) return null;
  const ageDays = Math.max(1, (nowMs - published) / DAY_MS);
  return round2(views / ageDays);
}

export interface WeekCount {
  /** ISO 8601 week, e.g. '2026-W13' (the ISO week-year, which can differ from the calendar year around New Year) */
  week: string;
  /** the week's Monday, 'YYYY-MM-DD' (UTC) */
  week_start: string;
  videos: number;
}

export interface UsageVelocity {
  /** one entry per ISO week (UTC) from the earliest video's week to the week containing `now`, empty weeks included */
  videos_per_week: WeekCount[];
  /** videos published in the 28 days up to `now` ÷ 4, 2 decimals */
  last_4w_avg_videos_per_week: number;
  /** videos published in the 28 days before that ÷ 4, 2 decimals */
  prior_4w_avg_videos_per_week: number;
  /** last ≥ 1.15 × prior, with prior > 0; when prior is 0, true iff last > 0 */
  is_accelerating: boolean;
}

/** How much the last four weeks must exceed the prior four for `is_accelerating` (15 %). */
export const ACCELERATION_MARGIN = 0.15;

/**
 * Usage velocity of a sound from its videos' publish times (the sound lookup's `stats.velocity`).
 *
 * videos_per_week buckets by ISO week in UTC for display. The two averages use rolling 28-day windows ending at `now`
 * — last = (now − 28 d, now], prior = (now − 56 d, now − 28 d] — rather than calendar weeks, so a partly elapsed
 * current week does not drag the "last 4 weeks" down. A publish time after `now` (clock skew) counts as `now`;
 * an unparseable one is skipped. Empty input → no weeks, both averages 0, not accelerating.
 */
export function usageVelocity(publishedAt: readonly (Date | string | null)[], now: Date): UsageVelocity {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid date');
  const times = publishedAt
    .map((p) => (p === null ? NaN : new Date(p).getTime()))
    .filter((t) => Number.isFinite(t))
    .map((t) => Math.min(t, nowMs));

  let last = 0;
  let prior = 0;
  for (const t of times) {
    const age = nowMs - t;
    if (age < 28 * DAY_MS) last += 1;
    else if (age < 56 * DAY_MS) prior += 1;
  }
  const lastAvg = round2(last / 4);
  const priorAvg = round2(prior / 4);

  const weeks: WeekCount[] = [];
  if (times.length > 0) {
    const counts = new Map<number, number>();
    for (const t of times) {
      const monday = isoWeekStart(t);
      counts.set(monday, (counts.get(monday) ?? 0) + 1);
    }
    const lastMonday = isoWeekStart(nowMs);
    for (let monday = isoWeekStart(Math.min(...times)); monday <= lastMonday; monday += 7 * DAY_MS) {
      weeks.push({
        week: isoWeekKey(monday),
        week_start: new Date(monday).toISOString().slice(0, 10),
        videos: counts.get(monday) ?? 0,
      });
    }
  }

  return {
    videos_per_week: weeks,
    last_4w_avg_videos_per_week: lastAvg,
    prior_4w_avg_videos_per_week: priorAvg,
    is_accelerating: prior > 0 ? last >= (1 + ACCELERATION_MARGIN) * prior : last > 0,
  };
}

/** ISO 8601 week key ('2026-W01') of an instant, in UTC. */
export function isoWeekKey(at: Date | number): string {
  const monday = isoWeekStart(typeof at === 'number' ? at : at.getTime());
  // the ISO week-year is the calendar year of the week's Thursday
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** 2 decimals, half away from zero, never -0. */
export function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}

/** Midnight UTC of the Monday starting the ISO week containing `ms`. */
function isoWeekStart(ms: number): number {
  const d = new Date(ms);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return dayStart - sinceMonday * DAY_MS;
}

function isCount(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function usable(values: readonly (number | null)[]): number[] {
  return values.filter(isCount);
}
