import fc from 'fast-check';
import {
  bucketCounts,
  durationDistribution,
  engagementRate,
  isoWeekKey,
  mean,
  median,
  outlierAnalysis,
  percentileOf,
  performanceLabel,
  quantiles,
  rankGroups,
  stdDeviation,
  summarize,
  usageVelocity,
  viewsPerDay,
} from '../../domain/satellite-stats';
import { median as outliersMedian } from '../../domain/outliers';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-25T12:00:00.000Z'); // a Wednesday
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

const views = fc.integer({ min: 0, max: 1e9 });
const viewList = fc.array(views, { minLength: 1, maxLength: 60 });
const maybeViews = fc.array(fc.oneof(views, fc.constant(null), fc.constant(-5), fc.constant(NaN)), { maxLength: 60 });

describe('performanceLabel', () => {
  it('is exact at the 5 / 2 / 0.5 thresholds (each bound inclusive)', () => {
    expect(performanceLabel(5)).toBe('viral');
    expect(performanceLabel(4.999999)).toBe('above_average');
    expect(performanceLabel(2)).toBe('above_average');
    expect(performanceLabel(1.999999)).toBe('average');
    expect(performanceLabel(0.5)).toBe('average');
    expect(performanceLabel(0.499999)).toBe('below_average');
    expect(performanceLabel(0)).toBe('below_average');
    expect(performanceLabel(1000)).toBe('viral');
  });

  it("is 'average' for an unknown score", () => {
    expect(performanceLabel(null)).toBe('average');
    expect(performanceLabel(NaN)).toBe('average');
  });

  it('agrees with the thresholds for any score and never goes down as the score grows', () => {
    const rank = { below_average: 0, average: 1, above_average: 2, viral: 3 } as const;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (a, b) => {
          const expected = a >= 5 ? 'viral' : a >= 2 ? 'above_average' : a >= 0.5 ? 'average' : 'below_average';
          expect(performanceLabel(a)).toBe(expected);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(rank[performanceLabel(lo)]).toBeLessThanOrEqual(rank[performanceLabel(hi)]);
        },
      ),
    );
  });
});

describe('outlierAnalysis', () => {
  it('computes every field for a typical creator', () => {
    // mean 300, population variance ((−200)² + (−100)² + 0 + 100² + 200²) ÷ 5 = 20 000
    const a = outlierAnalysis([100, 200, 300, 400, 500], 1000);
    expect(a).toEqual({
      videos_analyzed: 5,
      median_views: 300,
      avg_views: 300,
      outlier_score: 3.33,
      percentile: 100,
      std_deviation: 141.42,
      z_score: 4.95,
      performance_label: 'above_average',
    });
  });

  it('uses mid-rank percentiles for ties', () => {
    const a = outlierAnalysis([10, 20, 20, 20, 30], 20);
    expect(a.percentile).toBe(50); // (1 below + 3 equal ÷ 2) ÷ 5
    expect(a.outlier_score).toBe(1);
    expect(a.performance_label).toBe('average');
    expect(outlierAnalysis([10, 20, 20, 20, 30], 10).percentile).toBe(10);
    expect(outlierAnalysis([10, 20, 20, 20, 30], 30).percentile).toBe(90);
  });

  it('handles a single video: percentile 50, deviation 0, no z-score', () => {
    expect(outlierAnalysis([5000], 5000)).toEqual({
      videos_analyzed: 1,
      median_views: 5000,
      avg_views: 5000,
      outlier_score: 1,
      percentile: 50,
      std_deviation: 0,
      z_score: null,
      performance_label: 'average',
    });
  });

  it('handles all-equal views: no spread, so no z-score, even for a higher target', () => {
    const a = outlierAnalysis([700, 700, 700, 700], 7000);
    expect(a.std_deviation).toBe(0);
    expect(a.z_score).toBeNull();
    expect(a.outlier_score).toBe(10);
    expect(a.percentile).toBe(100);
    expect(a.performance_label).toBe('viral');
  });

  it('has no outlier score when the median is 0, and labels it average', () => {
    const a = outlierAnalysis([0, 0, 0, 10], 10);
    expect(a.median_views).toBe(0);
    expect(a.outlier_score).toBeNull();
    expect(a.performance_label).toBe('average');
    expect(a.percentile).toBe(87.5);
    expect(a.z_score).toBe(1.73); // mean 2.5, σ = √18.75
  });

  it('labels a zero-view target below average against a creator with views', () => {
    const a = outlierAnalysis([100, 200, 300], 0);
    expect(a.outlier_score).toBe(0);
    expect(a.percentile).toBe(0);
    expect(a.performance_label).toBe('below_average');
    expect(a.z_score).toBeLessThan(0);
  });

  it('ignores null, negative and non-finite creator views', () => {
    expect(outlierAnalysis([null, 100, -1, NaN, Infinity, 300], 200)).toEqual(outlierAnalysis([100, 300], 200));
    expect(outlierAnalysis([null, 100, -1, NaN, Infinity, 300], 200).videos_analyzed).toBe(2);
  });

  it('reports what it can for an unknown target', () => {
    for (const target of [null, -1, NaN, Infinity]) {
      const a = outlierAnalysis([100, 200, 300], target);
      expect(a).toMatchObject({ videos_analyzed: 3, median_views: 200, avg_views: 200, std_deviation: 81.65 });
      expect(a).toMatchObject({ outlier_score: null, percentile: null, z_score: null, performance_label: 'average' });
    }
  });

  it('is all null for a creator without usable views', () => {
    expect(outlierAnalysis([], 100)).toEqual({
      videos_analyzed: 0,
      median_views: null,
      avg_views: null,
      outlier_score: null,
      percentile: null,
      std_deviation: null,
      z_score: null,
      performance_label: 'average',
    });
    expect(outlierAnalysis([null, null], 100).videos_analyzed).toBe(0);
  });

  it('labels from the reported (rounded) score', () => {
    // 4999 ÷ 1000 = 4.999 → reported 5 → viral; 4990 ÷ 1000 = 4.99 → above_average
    expect(outlierAnalysis([1000], 4999)).toMatchObject({ outlier_score: 5, performance_label: 'viral' });
    expect(outlierAnalysis([1000], 4990)).toMatchObject({ outlier_score: 4.99, performance_label: 'above_average' });
    expect(outlierAnalysis([1000], 2000).performance_label).toBe('above_average');
    expect(outlierAnalysis([1000], 500).performance_label).toBe('average');
    // 499 ÷ 1000 = 0.499 → reported 0.5 → average; 494 ÷ 1000 → 0.49 → below_average
    expect(outlierAnalysis([1000], 499)).toMatchObject({ outlier_score: 0.5, performance_label: 'average' });
    expect(outlierAnalysis([1000], 494)).toMatchObject({ outlier_score: 0.49, performance_label: 'below_average' });
  });

  it('keeps the percentile in [0, 100] and the label consistent with the score', () => {
    fc.assert(
      fc.property(maybeViews, fc.oneof(views, fc.constant(null)), (creator, target) => {
        const a = outlierAnalysis(creator, target);
        if (a.percentile !== null) {
          expect(a.percentile).toBeGreaterThanOrEqual(0);
          expect(a.percentile).toBeLessThanOrEqual(100);
        }
        expect(a.performance_label).toBe(performanceLabel(a.outlier_score));
        expect(a.videos_analyzed).toBe(creator.filter((v) => v !== null && Number.isFinite(v) && v >= 0).length);
      }),
    );
  });

  it('never ranks a video with more views lower (percentile, score and label monotone in the target)', () => {
    const rank = { below_average: 0, average: 1, above_average: 2, viral: 3 } as const;
    fc.assert(
      fc.property(viewList, views, views, (creator, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const a = outlierAnalysis(creator, lo);
        const b = outlierAnalysis(creator, hi);
        expect(a.percentile!).toBeLessThanOrEqual(b.percentile!);
        if (a.outlier_score !== null) expect(a.outlier_score).toBeLessThanOrEqual(b.outlier_score!);
        if (a.z_score !== null) expect(a.z_score).toBeLessThanOrEqual(b.z_score!);
        if (a.outlier_score !== null) {
          expect(rank[a.performance_label]).toBeLessThanOrEqual(rank[b.performance_label]);
        }
      }),
    );
  });

  it('gives the z-score the sign of (target − mean), up to rounding to 0', () => {
    fc.assert(
      fc.property(viewList, views, (creator, target) => {
        const a = outlierAnalysis(creator, target);
        const m = mean(creator)!;
        if (a.z_score === null) {
          expect(stdDeviation(creator)).toBe(0);
          return;
        }
        if (a.z_score > 0) expect(target).toBeGreaterThan(m);
        if (a.z_score < 0) expect(target).toBeLessThan(m);
        if (target > m) expect(a.z_score).toBeGreaterThanOrEqual(0);
        if (target < m) expect(a.z_score).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('puts the median between the smallest and largest analyzed views', () => {
    fc.assert(
      fc.property(viewList, (creator) => {
        const a = outlierAnalysis(creator, null);
        expect(a.median_views!).toBeGreaterThanOrEqual(Math.min(...creator));
        expect(a.median_views!).toBeLessThanOrEqual(Math.max(...creator));
        expect(a.avg_views!).toBeGreaterThanOrEqual(Math.min(...creator));
        expect(a.avg_views!).toBeLessThanOrEqual(Math.max(...creator));
        expect(a.std_deviation!).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('mean, stdDeviation, median', () => {
  it('re-exports the outliers median', () => {
    expect(median).toBe(outliersMedian);
  });

  it('uses the population deviation', () => {
    expect(stdDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(stdDeviation([42])).toBe(0);
    expect(stdDeviation([])).toBeNull();
    expect(mean([1, 2, null, -3, 3])).toBe(2);
    expect(mean([])).toBeNull();
  });

  it('stays exact-ish on large view counts (no cancellation)', () => {
    expect(stdDeviation([1e12, 1e12 + 2])).toBe(1);
  });
});

describe('percentileOf', () => {
  it('is null without values or without a usable target', () => {
    expect(percentileOf([], 5)).toBeNull();
    expect(percentileOf([1, 2], null)).toBeNull();
    expect(percentileOf([1, 2], -1)).toBeNull();
  });

  it('is 0 below every value and 100 above every value', () => {
    fc.assert(
      fc.property(viewList, (xs) => {
        expect(percentileOf(xs, Math.max(...xs) + 1)).toBe(100);
        if (Math.min(...xs) > 0) expect(percentileOf(xs, Math.min(...xs) - 1)).toBe(0);
      }),
    );
  });
});

describe('quantiles', () => {
  it('interpolates linearly between closest ranks', () => {
    expect(quantiles([1, 2, 3, 4], [0, 0.25, 0.5, 0.75, 1])).toEqual([1, 1.75, 2.5, 3.25, 4]);
    expect(quantiles([10], [0, 0.5, 1])).toEqual([10, 10, 10]);
    expect(quantiles([null], [0.5])).toEqual([null]);
    expect(() => quantiles([1], [1.5])).toThrow(RangeError);
    expect(() => quantiles([1], [NaN])).toThrow(RangeError);
  });

  it('agrees with the median at 0.5 and is monotone in q', () => {
    fc.assert(
      fc.property(viewList, (xs) => {
        const [q0, q25, q50, q75, q100] = quantiles(xs, [0, 0.25, 0.5, 0.75, 1]) as number[];
        expect(q50).toBeCloseTo(median(xs)!, 6);
        expect(q0).toBe(Math.min(...xs));
        expect(q100).toBe(Math.max(...xs));
        expect(q0! <= q25! && q25! <= q50! && q50! <= q75! && q75! <= q100!).toBe(true);
      }),
    );
  });
});

describe('summarize and engagementRate', () => {
  it('summarizes usable counts', () => {
    expect(summarize([3, null, 1, 2, -7])).toEqual({ count: 3, total: 6, avg: 2, median: 2, max: 3, min: 1 });
    expect(summarize([])).toEqual({ count: 0, total: 0, avg: null, median: null, max: null, min: null });
  });

  it('is (likes + comments + shares) ÷ views', () => {
    expect(engagementRate(80, 15, 5, 1000)).toBe(0.1);
    expect(engagementRate(null, 15, 5, 1000)).toBe(0.02);
    expect(engagementRate(1, 1, 1, 0)).toBeNull();
    expect(engagementRate(1, 1, 1, null)).toBeNull();
  });
});

describe('buckets', () => {
  it('counts durations into the four sound-lookup buckets', () => {
    expect(durationDistribution([0, 14.9, 15, 29, 30, 60, 60.5, 600, null, -3])).toEqual({
      under_15s: 2,
      between_15_30s: 2,
      between_30_60s: 2,
      over_60s: 2,
    });
  });

  it('puts each usable value in exactly one bucket', () => {
    fc.assert(
      fc.property(maybeViews, (xs) => {
        const counts = bucketCounts(xs, [10, 1000, 1e6]);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(xs.filter((v) => v !== null && v >= 0).length);
      }),
    );
    expect(() => bucketCounts([1], [5, 5])).toThrow(RangeError);
  });

  it('ranks groups by total, deduplicating by key', () => {
    const videos = [
      { who: 'ann', views: 100 },
      { who: 'bob', views: 250 },
      { who: 'ann', views: 200 },
      { who: '', views: 1e9 },
      { who: 'cy', views: null },
      { who: 'dee', views: 0 },
    ];
    expect(
      rankGroups(
        videos,
        (v) => v.who,
        (v) => v.views,
        3,
      ),
    ).toEqual([
      { key: 'ann', count: 2, total: 300 },
      { key: 'bob', count: 1, total: 250 },
      { key: 'cy', count: 1, total: 0 },
    ]);
    expect(
      rankGroups(
        videos,
        (v) => v.who,
        (v) => v.views,
        0,
      ),
    ).toEqual([]);
  });
});

describe('velocity', () => {
  it('is views per day of age, a day at least', () => {
    expect(viewsPerDay(1000, daysAgo(10), NOW)).toBe(100);
    expect(viewsPerDay(1000, daysAgo(0.1), NOW)).toBe(1000);
    expect(viewsPerDay(1000, daysAgo(-3), NOW)).toBe(1000);
    expect(viewsPerDay(null, daysAgo(3), NOW)).toBeNull();
    expect(viewsPerDay(10, 'not a date', NOW)).toBeNull();
    expect(viewsPerDay(10, null, NOW)).toBeNull();
  });

  it('keys ISO weeks by the week-year', () => {
    expect(isoWeekKey(new Date('2026-03-25T12:00:00Z'))).toBe('2026-W13');
    expect(isoWeekKey(new Date('2021-01-01T00:00:00Z'))).toBe('2020-W53');
    expect(isoWeekKey(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekKey(new Date('2026-01-04T23:59:59Z'))).toBe('2026-W01');
  });

  it('buckets usage by ISO week with empty weeks and compares rolling four-week windows', () => {
    const times = [daysAgo(1), daysAgo(2), daysAgo(3), daysAgo(20), daysAgo(30), daysAgo(-1), 'garbage', null];
    const v = usageVelocity(times, NOW);
    expect(v.last_4w_avg_videos_per_week).toBe(1.25); // 5 (the future one counts as now) ÷ 4
    expect(v.prior_4w_avg_videos_per_week).toBe(0.25);
    expect(v.is_accelerating).toBe(true);
    expect(v.videos_per_week.map((w) => w.week)).toEqual(['2026-W09', '2026-W10', '2026-W11', '2026-W12', '2026-W13']);
    expect(v.videos_per_week[0]).toEqual({ week: '2026-W09', week_start: '2026-02-23', videos: 1 });
    expect(v.videos_per_week.reduce((a, w) => a + w.videos, 0)).toBe(6);
    expect(v.videos_per_week.find((w) => w.week === '2026-W11')!.videos).toBe(0);
    expect(v.videos_per_week.find((w) => w.week === '2026-W13')!.videos).toBe(3); // Mar 23, Mar 24 and the future one
  });

  it('needs 15 % more videos in the last four weeks to accelerate', () => {
    const recent = (n: number) => Array.from({ length: n }, (_, i) => daysAgo(1 + (i % 20)));
    const prior = (n: number) => Array.from({ length: n }, (_, i) => daysAgo(30 + (i % 20)));
    expect(usageVelocity([...recent(23), ...prior(20)], NOW).is_accelerating).toBe(true);
    expect(usageVelocity([...recent(22), ...prior(20)], NOW).is_accelerating).toBe(false);
    expect(usageVelocity([], NOW)).toEqual({
      videos_per_week: [],
      last_4w_avg_videos_per_week: 0,
      prior_4w_avg_videos_per_week: 0,
      is_accelerating: false,
    });
    expect(usageVelocity(prior(3), NOW).is_accelerating).toBe(false);
  });
});
