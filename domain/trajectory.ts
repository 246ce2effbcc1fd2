/**
 * Video trajectory: views/day velocity per snapshot, instantaneous velocity, acceleration and peaking, the event flags
 * they raise (breakout, accelerating, peaking) and the adaptive polling interval. Pure and deterministic: the video
 * tracking workflow imports it.
 */
import { DAY_MS, HOUR_MS } from './time';

/** One view count at one time. Dates that crossed a Temporal payload boundary arrive as ISO strings. */
export interface ViewPoint {
  captured_at: Date | string;
  views: number | null;
}

export interface TrajectorySnapshot {
  captured_at: string;
  views: number | null;
  views_per_day: number | null;
}

export interface TrajectoryMetrics {
  /** usable snapshots: a valid time and a known, non-negative view count */
  n: number;
  /** views/day between the last two usable snapshots (needs ≥ 2) */
  true_vpd: number | null;
  /** change of views/day per day across the last two intervals (needs ≥ 3) */
  accel: number | null;
  /** velocity rose and then turned down over the last three intervals, beyond noise (needs ≥ 4) */
  peaking: boolean;
  /** latest views ÷ age in days */
  lifetime_vpd: number | null;
}

export interface Trajectory {
  snapshots: TrajectorySnapshot[];
  metrics: TrajectoryMetrics;
}

export interface TrajectoryFlags {
  breakout: boolean;
  accelerating: boolean;
  peaking: boolean;
}

export type TrajectoryEvent = keyof TrajectoryFlags;

/** Fixed order in which `trajectoryTransitions` lists events. */
export const TRAJECTORY_EVENTS: readonly TrajectoryEvent[] = ['breakout', 'accelerating', 'peaking'];

/**
 * Event thresholds (see `trajectoryFlags`):
 * - breakoutMinVpd 10,000 views/day: below it a relative jump (50 → 500 views/day) is noise, not a breakout.
 * - breakoutLifetimeMultiple 3: the current velocity must be 3× the video's own lifetime average, the same 3× bar
 *   the creator outlier check uses against a creator's median, so a video that has always done 10k/day is not news.
 * - accelerationRatio 0.1: velocity must be growing by at least a tenth of itself per day
 *   (accel ≥ 0.1 × true_vpd); a weekly poll of a spiking video still clears it, a slow drift does not.
 * - accelerationMinVpd 1,000 views/day: below it an hour holds a few dozen views, and counting noise between hourly
 *   polls (one view more or less) already reads as a velocity change of several % per hour.
 * - peakMinVpd 1,000 views/day and peakMargin 0.05: a peak needs the middle interval at ≥ 1,000 views/day, ≥ 5 % above
 *   the interval before it, and the last interval ≥ 5 % below it, so counting noise on a flat video is no peak.
 */
export const TRAJECTORY_THRESHOLDS = {
  breakoutMinVpd: 10_000,
  breakoutLifetimeMultiple: 3,
  accelerationRatio: 0.1,
  accelerationMinVpd: 1_000,
  peakMinVpd: 1_000,
  peakMargin: 0.05,
} as const;

/** Adaptive polling bounds: never more often than hourly, never less often than weekly. */
export const ADAPTIVE_BOUNDS = { minMs: HOUR_MS, maxMs: 7 * DAY_MS } as const;

/**
 * The trajectory of a video's view counts.
 *
 * Cleaning, before any maths:
 * - points whose time does not parse are dropped (they cannot be placed); the rest are sorted by time;
 * - when several points share a timestamp only the last one given is kept (a re-read replaces the earlier one);
 * - points with a null, non-finite or negative view count stay in `snapshots` (views and views_per_day null) but are
 *   skipped by the maths: the next usable point's velocity is measured against the previous usable point.
 *
 * `views_per_day` = (views − previous usable views) ÷ days between them, rounded to 2 decimals; null for the first
 * usable point. A platform correction (views going down) keeps its negative velocity in the series, honestly. The
 * metrics then describe only the points since the latest correction (the corrected count is the new baseline):
 * `true_vpd`, `accel` and `peaking` use the segment starting at the last point whose views fell, so a purge neither
 * reads as a peak nor, on the next interval, as a breakout. Right after a correction `true_vpd` is therefore null.
 *
 * - n: usable points in the whole series.
 * - true_vpd: views/day over the segment's last interval (needs 2 points in it).
 * - accel: (vpd_last − vpd_prev) ÷ days between the two intervals' midpoints (needs 3), from unrounded velocities.
 * - peaking: velocity rose, then turned down, by more than noise (needs 4 points, i.e. three intervals):
 *   vpd_prev ≥ 1,000 AND vpd_prev ≥ 1.05 × vpd_prevprev AND vpd_last ≤ 0.95 × vpd_prev (see `TRAJECTORY_THRESHOLDS`).
 * - lifetime_vpd: latest usable views ÷ days from `publishedAt` (or from the first usable snapshot when the publish
 *   date is missing or invalid) to the latest usable snapshot, that time capped at `now`; null when that age is ≤ 0.
 *   Without a publish date it overstates the rate: views from before tracking started are counted.
 * All velocities are rounded to 2 decimals.
 */
export function videoTrajectory(
  points: readonly ViewPoint[],
  opts: { publishedAt?: Date | string | null; now: Date },
): Trajectory {
  const byTime = new Map<number, number | null>();
  for (const p of points) {
    const at = new Date(p.captured_at).getTime();
    if (!Number.isFinite(at)) continue;
    byTime.delete(at); // re-insert so the last one given wins
    byTime.set(at, isCount(p.views) ? p.views : null);
  }
  const series = [...byTime].map(([at, views]) => ({ at, views })).sort((a, b) => a.at - b.at);

  const usable: { at: number; views: number; vpd: number | null }[] = [];
  const snapshots: TrajectorySnapshot[] = [];
  for (const s of series) {
    let vpd: number | null = null;
    if (s.views !== null) {
      const prev = usable[usable.length - 1];
      vpd = prev === undefined ? null : (s.views - prev.views) / ((s.at - prev.at) / DAY_MS);
      usable.push({ at: s.at, views: s.views, vpd });
    }
    snapshots.push({
      captured_at: new Date(s.at).toISOString(),
      views: s.views,
      views_per_day: vpd === null ? null : round2(vpd),
    });
  }

  let start = 0;
  for (let i = 1; i < usable.length; i++) if (usable[i]!.views < usable[i - 1]!.views) start = i;
  const segment = usable.slice(start);
  const k = segment.length;
  const v1 = k >= 2 ? segment[k - 1]!.vpd! : null;
  const v2 = k >= 3 ? segment[k - 2]!.vpd! : null;
  const v3 = k >= 4 ? segment[k - 3]!.vpd! : null;

  let accel: number | null = null;
  if (v1 !== null && v2 !== null) {
    const midpointGapDays = (segment[k - 1]!.at - segment[k - 3]!.at) / 2 / DAY_MS;
    accel = round2((v1 - v2) / midpointGapDays);
  }

  return {
    snapshots,
    metrics: {
      n: usable.length,
      true_vpd: v1 === null ? null : round2(v1),
      accel,
      peaking: v1 !== null && v2 !== null && v3 !== null && isPeak(v3, v2, v1),
      lifetime_vpd: lifetimeVpd(usable, opts),
    },
  };
}

function isPeak(before: number, middle: number, last: number): boolean {
  const { peakMinVpd, peakMargin } = TRAJECTORY_THRESHOLDS;
  return middle >= peakMinVpd && middle >= (1 + peakMargin) * before && last <= (1 - peakMargin) * middle;
}

function lifetimeVpd(
  usable: readonly { at: number; views: number }[],
  opts: { publishedAt?: Date | string | null; now: Date },
): number | null {
  const latest = usable[usable.length - 1];
  if (latest === undefined) return null;
  const published = opts.publishedAt === null || opts.publishedAt === undefined ? NaN : time(opts.publishedAt);
  const from = Number.isFinite(published) ? published : usable[0]!.at;
  const nowMs = opts.now.getTime();
  const until = Number.isFinite(nowMs) ? Math.min(latest.at, nowMs) : latest.at;
  const ageDays = (until - from) / DAY_MS;
  return ageDays > 0 ? round2(latest.views / ageDays) : null;
}

/**
 * Event flags for one trajectory (thresholds in `TRAJECTORY_THRESHOLDS`):
 * - breakout: true_vpd ≥ 10,000 views/day AND true_vpd ≥ 3 × lifetime_vpd (the multiple is skipped when lifetime_vpd
 *   is unknown). A negative true_vpd (a correction) can never be a breakout.
 * - accelerating: true_vpd ≥ 1,000 views/day AND accel > 0 AND accel ≥ 0.1 × true_vpd, i.e. velocity grows by at
 *   least 10 % of itself per day.
 * - peaking: `metrics.peaking` (velocity rose, then turned down).
 */
export function trajectoryFlags(metrics: TrajectoryMetrics): TrajectoryFlags {
  const t = TRAJECTORY_THRESHOLDS;
  const vpd = metrics.true_vpd;
  const lifetime = metrics.lifetime_vpd;
  const breakout =
    vpd !== null &&
    vpd >= t.breakoutMinVpd &&
    (lifetime === null || lifetime <= 0 || vpd >= t.breakoutLifetimeMultiple * lifetime);
  return { breakout, accelerating: isAccelerating(metrics), peaking: metrics.peaking };
}

function isAccelerating(m: TrajectoryMetrics): boolean {
  const t = TRAJECTORY_THRESHOLDS;
  return (
    m.true_vpd !== null &&
    m.accel !== null &&
    m.true_vpd >= t.accelerationMinVpd &&
    m.accel > 0 &&
    m.accel >= t.accelerationRatio * m.true_vpd
  );
}

/**
 * Events that turned from false to true between two evaluations, in the order breakout, accelerating, peaking. A flag
 * that stays true fires nothing; one that drops and rises again fires again. `previous` null (the first evaluation)
 * counts as all false, so flags already true fire.
 */
export function trajectoryTransitions(previous: TrajectoryFlags | null, next: TrajectoryFlags): TrajectoryEvent[] {
  return TRAJECTORY_EVENTS.filter((e) => next[e] && !(previous?.[e] ?? false));
}

/**
 * The next polling interval for an `adaptive` video, from its trajectory and the interval used last (null or invalid
 * on the first cycle, which then counts as 1 hour):
 *
 * 1. fewer than 3 usable snapshots (no acceleration yet), or none with a velocity: 1 hour;
 * 2. no acceleration known (right after a platform correction): keep the previous interval;
 * 3. accelerating (the `accelerating` flag): halve it;
 * 4. peaking, or flat-high (accel ≥ 0 and true_vpd ≥ 10,000 views/day, the breakout floor): keep it;
 * 5. otherwise (decaying, flat-low, or no growth): double it;
 *
 * always clamped to `ADAPTIVE_BOUNDS` (1 hour to 7 days). So for a given previous interval, accelerating ≤ keeping ≤
 * decaying, and a longer previous interval never gives a shorter next one.
 */
export function nextAdaptiveIntervalMs(metrics: TrajectoryMetrics, previousIntervalMs: number | null): number {
  const previous =
    previousIntervalMs !== null && Number.isFinite(previousIntervalMs) && previousIntervalMs > 0
      ? clampInterval(previousIntervalMs)
      : ADAPTIVE_BOUNDS.minMs;
  if (metrics.n < 3 || metrics.true_vpd === null) return ADAPTIVE_BOUNDS.minMs;
  if (metrics.accel === null) return previous;
  if (isAccelerating(metrics)) return clampInterval(previous / 2);
  if (metrics.peaking || (metrics.accel >= 0 && metrics.true_vpd >= TRAJECTORY_THRESHOLDS.breakoutMinVpd)) {
    return previous;
  }
  return clampInterval(previous * 2);
}

function clampInterval(ms: number): number {
  return Math.round(Math.min(ADAPTIVE_BOUNDS.maxMs, Math.max(ADAPTIVE_BOUNDS.minMs, ms)));
}

function isCount(v: number | null): v is number {
  return v !== null && Number.isFinite(v) && v >= 0;
}

function time(d: Date | string): number {
  return new Date(d).getTime();
}

function round2(x: number): number {
  // symmetric rounding, and never a -0 in JSON
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
