import fc from 'fast-check';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../../domain/time';
import {
  ADAPTIVE_BOUNDS,
  nextAdaptiveIntervalMs,
  TRAJECTORY_THRESHOLDS,
  trajectoryFlags,
  trajectoryTransitions,
  videoTrajectory,
  type TrajectoryFlags,
  type TrajectoryMetrics,
  type ViewPoint,
} from '../../domain/trajectory';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (days: number) => new Date(T0 + days * DAY);
const NOW = at(30);
/** points one day apart starting at day 1, published at day 0 */
const daily = (...views: (number | null)[]): ViewPoint[] => views.map((v, i) => ({ captured_at: at(i + 1), views: v }));
const metricsOf = (points: ViewPoint[], publishedAt: Date | null = at(0)) =>
  videoTrajectory(points, { publishedAt, now: NOW }).metrics;
const metrics = (m: Partial<TrajectoryMetrics>): TrajectoryMetrics => ({
  n: 5,
  true_vpd: 0,
  accel: 0,
  peaking: false,
  lifetime_vpd: null,
  ...m,
});

describe('videoTrajectory', () => {
  it('matches the seed example: 3 snapshots give true_vpd, accel and lifetime_vpd', () => {
    // +60k then +100k views a day: velocity up 40k/day over the 1 day between interval midpoints
    const t = videoTrajectory(daily(1_000_000, 1_060_000, 1_160_000), { publishedAt: at(0), now: NOW });
    expect(t.snapshots).toEqual([
      { captured_at: at(1).toISOString(), views: 1_000_000, views_per_day: null },
      { captured_at: at(2).toISOString(), views: 1_060_000, views_per_day: 60_000 },
      { captured_at: at(3).toISOString(), views: 1_160_000, views_per_day: 100_000 },
    ]);
    expect(t.metrics).toEqual({ n: 3, true_vpd: 100_000, accel: 40_000, peaking: false, lifetime_vpd: 386_666.67 });
  });

  it('has no velocity with one snapshot, and only true_vpd with two', () => {
    expect(metricsOf(daily(500))).toEqual({ n: 1, true_vpd: null, accel: null, peaking: false, lifetime_vpd: 500 });
    expect(metricsOf(daily(500, 800))).toMatchObject({ n: 2, true_vpd: 300, accel: null, peaking: false });
  });

  it('has no metrics at all for no usable points', () => {
    expect(videoTrajectory([], { now: NOW })).toEqual({
      snapshots: [],
      metrics: { n: 0, true_vpd: null, accel: null, peaking: false, lifetime_vpd: null },
    });
  });

  it('measures acceleration between interval midpoints when intervals differ in length', () => {
    // 0h→12h: +1,000 (2,000/day); 12h→36h: +6,000 (6,000/day); midpoints 6h and 24h apart by 0.75 day
    const points = [
      { captured_at: new Date(T0), views: 0 },
      { captured_at: new Date(T0 + 12 * HOUR), views: 1_000 },
      { captured_at: new Date(T0 + 36 * HOUR), views: 7_000 },
    ];
    expect(metricsOf(points).accel).toBe(round2((6_000 - 2_000) / 0.75));
  });

  it('reports a flat video as zero velocity change', () => {
    expect(metricsOf(daily(1_000, 2_000, 3_000, 4_000))).toMatchObject({ true_vpd: 1_000, accel: 0, peaking: false });
  });

  it('reports a decaying video as negative acceleration, not peaking', () => {
    const m = metricsOf(daily(0, 40_000, 60_000, 70_000, 75_000));
    expect(m).toMatchObject({ true_vpd: 5_000, accel: -5_000, peaking: false });
    expect(trajectoryFlags(m)).toEqual({ breakout: false, accelerating: false, peaking: false });
  });

  it('flags peaking when velocity rose and then turned down', () => {
    // velocities 10k, 30k, 20k
    const m = metricsOf(daily(0, 10_000, 40_000, 60_000));
    expect(m).toMatchObject({ true_vpd: 20_000, accel: -10_000, peaking: true });
    // one point earlier the video was still accelerating
    expect(metricsOf(daily(0, 10_000, 40_000))).toMatchObject({ accel: 20_000, peaking: false });
  });

  it('does not call counting noise on a small or flat video a peak', () => {
    // velocities 100, 130, 90: rising and falling, but below the peak floor
    expect(metricsOf(daily(0, 100, 230, 320)).peaking).toBe(false);
    // 10,000 → 10,200 → 10,100: within the 5 % margin
    expect(metricsOf(daily(0, 10_000, 20_200, 30_300)).peaking).toBe(false);
  });

  it('keeps a correction as negative velocity in the series but measures metrics from the corrected count', () => {
    const t = videoTrajectory(daily(100_000, 150_000, 120_000), { publishedAt: at(0), now: NOW });
    expect(t.snapshots.map((s) => s.views_per_day)).toEqual([null, 50_000, -30_000]);
    expect(t.metrics).toMatchObject({ n: 3, true_vpd: null, accel: null, peaking: false });
    expect(trajectoryFlags(t.metrics).breakout).toBe(false);

    // the interval after a correction is measured against the corrected count, so the purge reads as no breakout
    const after = metricsOf(daily(100_000, 150_000, 120_000, 125_000));
    expect(after).toMatchObject({ n: 4, true_vpd: 5_000, accel: null, peaking: false });
  });

  it('never reads a purge in the middle of a rise as a peak', () => {
    // velocities 10k, 30k, then a drop of 20k views
    expect(metricsOf(daily(0, 10_000, 40_000, 20_000)).peaking).toBe(false);
  });

  it('sorts unsorted points, keeps the last of duplicate times and skips null, negative and unparseable ones', () => {
    const t = videoTrajectory(
      [
        { captured_at: at(3).toISOString(), views: 3_000 },
        { captured_at: at(1), views: 1_000 },
        { captured_at: 'not a date', views: 9_999 },
        { captured_at: at(2), views: 1_500 },
        { captured_at: at(2).toISOString(), views: 2_000 },
        { captured_at: at(2.5), views: null },
        { captured_at: at(2.7), views: -5 },
      ],
      { publishedAt: at(0), now: NOW },
    );
    expect(t.snapshots).toEqual([
      { captured_at: at(1).toISOString(), views: 1_000, views_per_day: null },
      { captured_at: at(2).toISOString(), views: 2_000, views_per_day: 1_000 },
      { captured_at: at(2.5).toISOString(), views: null, views_per_day: null },
      { captured_at: at(2.7).toISOString(), views: null, views_per_day: null },
      { captured_at: at(3).toISOString(), views: 3_000, views_per_day: 1_000 },
    ]);
    expect(t.metrics).toMatchObject({ n: 3, true_vpd: 1_000, accel: 0 });
  });

  it('accepts ISO strings exactly like Dates', () => {
    const points = daily(10, 500, 2_000, 2_600);
    const asStrings = points.map((p) => ({ ...p, captured_at: (p.captured_at as Date).toISOString() }));
    expect(videoTrajectory(asStrings, { publishedAt: at(0).toISOString(), now: NOW })).toEqual(
      videoTrajectory(points, { publishedAt: at(0), now: NOW }),
    );
  });

  it('measures lifetime_vpd from publish, else from the first snapshot, and is null at age 0', () => {
    expect(metricsOf(daily(1_000, 4_000), at(0)).lifetime_vpd).toBe(2_000); // 4,000 over 2 days
    expect(metricsOf(daily(1_000, 4_000), null).lifetime_vpd).toBe(4_000); // 4,000 over 1 day
    expect(metricsOf(daily(1_000), null).lifetime_vpd).toBeNull();
    expect(metricsOf(daily(1_000), at(5)).lifetime_vpd).toBeNull(); // published after the snapshot
    // a snapshot stamped after `now` is aged up to `now` only
    const skewed = videoTrajectory(daily(1_000), { publishedAt: at(0), now: at(0.5) }).metrics;
    expect(skewed.lifetime_vpd).toBe(2_000);
  });

  it('rounds velocities to 2 decimals and never yields NaN', () => {
    const m = metricsOf([
      { captured_at: new Date(T0), views: 0 },
      { captured_at: new Date(T0 + 7 * HOUR), views: 1 },
      { captured_at: new Date(T0 + 10 * HOUR), views: 3 },
    ]);
    expect(m.true_vpd).toBe(16);
    expect(m.accel).toBe(round2((16 - 24 / 7) / (5 / 24)));
    fc.assert(
      fc.property(
        fc.array(fc.record({ d: fc.integer({ min: 0, max: 100 }), v: fc.option(fc.nat(1e9)) }), { maxLength: 12 }),
        (raw) => {
          const t = videoTrajectory(
            raw.map((r) => ({ captured_at: at(r.d), views: r.v })),
            { now: NOW },
          );
          for (const value of [...Object.values(t.metrics), ...t.snapshots.map((s) => s.views_per_day)]) {
            if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('trajectoryFlags', () => {
  const { breakoutMinVpd, breakoutLifetimeMultiple, accelerationRatio, accelerationMinVpd } = TRAJECTORY_THRESHOLDS;

  it('calls a breakout at the velocity floor and 3× the lifetime average, not below either', () => {
    const lifetime = breakoutMinVpd / breakoutLifetimeMultiple;
    expect(trajectoryFlags(metrics({ true_vpd: breakoutMinVpd, lifetime_vpd: lifetime })).breakout).toBe(true);
    expect(trajectoryFlags(metrics({ true_vpd: breakoutMinVpd - 1, lifetime_vpd: 1 })).breakout).toBe(false);
    expect(trajectoryFlags(metrics({ true_vpd: 50_000, lifetime_vpd: 20_000 })).breakout).toBe(false);
    expect(trajectoryFlags(metrics({ true_vpd: 50_000, lifetime_vpd: null })).breakout).toBe(true);
    expect(trajectoryFlags(metrics({ true_vpd: -50_000, lifetime_vpd: null })).breakout).toBe(false);
    expect(trajectoryFlags(metrics({ true_vpd: null })).breakout).toBe(false);
  });

  it('calls accelerating when accel is at least a tenth of true_vpd per day, above the velocity floor', () => {
    const vpd = 20_000;
    expect(trajectoryFlags(metrics({ true_vpd: vpd, accel: accelerationRatio * vpd })).accelerating).toBe(true);
    expect(trajectoryFlags(metrics({ true_vpd: vpd, accel: accelerationRatio * vpd - 1 })).accelerating).toBe(false);
    expect(trajectoryFlags(metrics({ true_vpd: accelerationMinVpd - 1, accel: 500 })).accelerating).toBe(false);
    expect(trajectoryFlags(metrics({ true_vpd: vpd, accel: null })).accelerating).toBe(false);
  });

  it('passes peaking through from the metrics', () => {
    expect(trajectoryFlags(metrics({ peaking: true })).peaking).toBe(true);
    expect(trajectoryFlags(metrics({ peaking: false })).peaking).toBe(false);
  });
});

describe('trajectoryTransitions', () => {
  const flags = (b: boolean, a: boolean, p: boolean): TrajectoryFlags => ({ breakout: b, accelerating: a, peaking: p });

  it('fires each flag once as it turns true, again only after it went false', () => {
    expect(trajectoryTransitions(null, flags(true, true, false))).toEqual(['breakout', 'accelerating']);
    expect(trajectoryTransitions(flags(true, true, false), flags(true, false, true))).toEqual(['peaking']);
    expect(trajectoryTransitions(flags(true, false, true), flags(true, false, true))).toEqual([]);
    expect(trajectoryTransitions(flags(true, false, true), flags(false, false, false))).toEqual([]);
    expect(trajectoryTransitions(flags(false, false, false), flags(true, false, false))).toEqual(['breakout']);
  });

  it('fires exactly the flags that went from false (or unknown) to true', () => {
    const arb = fc.record({ breakout: fc.boolean(), accelerating: fc.boolean(), peaking: fc.boolean() });
    fc.assert(
      fc.property(fc.option(arb), arb, (before, after) => {
        const fired = trajectoryTransitions(before, after);
        for (const e of ['breakout', 'accelerating', 'peaking'] as const) {
          expect(fired.includes(e)).toBe(after[e] && !(before?.[e] ?? false));
        }
        expect(new Set(fired).size).toBe(fired.length);
      }),
    );
  });
});

describe('nextAdaptiveIntervalMs', () => {
  const { minMs, maxMs } = ADAPTIVE_BOUNDS;

  it('polls hourly for the first snapshots', () => {
    expect(nextAdaptiveIntervalMs(metrics({ n: 1, true_vpd: null, accel: null }), null)).toBe(HOUR);
    expect(nextAdaptiveIntervalMs(metrics({ n: 2, true_vpd: 10, accel: null }), 3 * DAY)).toBe(HOUR);
  });

  it('halves while accelerating, keeps while peaking or flat-high, doubles while decaying', () => {
    const prev = 8 * HOUR;
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 20_000, accel: 5_000 }), prev)).toBe(4 * HOUR);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 20_000, accel: -5_000, peaking: true }), prev)).toBe(prev);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 20_000, accel: 0 }), prev)).toBe(prev);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 20_000, accel: -5_000 }), prev)).toBe(16 * HOUR);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 50, accel: 0 }), prev)).toBe(16 * HOUR);
  });

  it('keeps the interval when acceleration is unknown after a correction', () => {
    expect(nextAdaptiveIntervalMs(metrics({ n: 6, true_vpd: 5_000, accel: null }), 8 * HOUR)).toBe(8 * HOUR);
  });

  it('stays within the bounds and treats an invalid previous interval as the first', () => {
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 20_000, accel: 5_000 }), minMs)).toBe(minMs);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 5, accel: -1 }), maxMs)).toBe(maxMs);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 5, accel: -1 }), NaN)).toBe(2 * HOUR);
    expect(nextAdaptiveIntervalMs(metrics({ true_vpd: 5, accel: -1 }), -1)).toBe(2 * HOUR);
  });

  const arbMetrics = fc.record({
    n: fc.integer({ min: 0, max: 50 }),
    true_vpd: fc.option(fc.double({ min: -1e7, max: 1e7, noNaN: true })),
    accel: fc.option(fc.double({ min: -1e7, max: 1e7, noNaN: true })),
    peaking: fc.boolean(),
    lifetime_vpd: fc.option(fc.double({ min: 0, max: 1e7, noNaN: true })),
  });
  const arbPrevious = fc.option(fc.oneof(fc.integer({ min: -DAY, max: 60 * DAY }), fc.constant(NaN)));

  it('always returns an interval within the bounds', () => {
    fc.assert(
      fc.property(arbMetrics, arbPrevious, (m, prev) => {
        const next = nextAdaptiveIntervalMs(m, prev);
        expect(next).toBeGreaterThanOrEqual(minMs);
        expect(next).toBeLessThanOrEqual(maxMs);
      }),
    );
  });

  it('never gives a shorter next interval for a longer previous one', () => {
    fc.assert(
      fc.property(
        arbMetrics,
        fc.integer({ min: minMs, max: maxMs }),
        fc.integer({ min: minMs, max: maxMs }),
        (m, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(nextAdaptiveIntervalMs(m, lo)).toBeLessThanOrEqual(nextAdaptiveIntervalMs(m, hi));
        },
      ),
    );
  });

  it('slows down over a cold start, speeds up as a video takes off, then backs off to the cap as it decays', () => {
    // 200 views/day of background, plus a 2M-view spike centred on day 25 (logistic cumulative curve)
    const viewsAt = (d: number) => Math.round(200 * d + 2_000_000 / (1 + Math.exp(-(d - 25) / 2)));
    const points: ViewPoint[] = [];
    const intervals: { day: number; ms: number }[] = [];
    let t = T0 + HOUR;
    let previous: number | null = null;
    while (t < T0 + 60 * DAY) {
      points.push({ captured_at: new Date(t).toISOString(), views: viewsAt((t - T0) / DAY) });
      const { metrics: m } = videoTrajectory(points, { publishedAt: new Date(T0), now: new Date(t) });
      previous = nextAdaptiveIntervalMs(m, previous);
      intervals.push({ day: (t - T0) / DAY, ms: previous });
      t += previous;
    }
    const ms = intervals.map((i) => i.ms);
    const fastest = Math.min(...ms.filter((_, i) => intervals[i]!.day > 10));
    const fastestAt = ms.lastIndexOf(fastest);
    const cold = ms.slice(0, ms.indexOf(maxMs) + 1);
    expect(cold.length).toBeGreaterThan(1);
    expect(cold).toEqual([...cold].sort((a, b) => a - b)); // slowing while flat
    expect(fastest).toBeLessThanOrEqual(6 * HOUR); // sped up for the spike
    const decay = ms.slice(fastestAt);
    expect(decay).toEqual([...decay].sort((a, b) => a - b)); // only slows down after the peak
    expect(ms[ms.length - 1]).toBe(maxMs);
  });
});

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
