import fc from 'fast-check';
import {
  detectOutliers,
  median,
  OUTLIER_ANNOUNCE_WINDOW_DAYS,
  weightedOutlierScore,
  type OutlierCandidatePost,
} from '../../domain/outliers';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-23T14:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

const post = (id: string, views: number | null, extra: Partial<OutlierCandidatePost> = {}): OutlierCandidatePost => ({
  platform_video_id: id,
  url: `https://www.tiktok.com/@someone/video/${id}`,
  views,
  likes: null,
  comments: null,
  shares: null,
  published_at: daysAgo(1),
  ...extra,
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([7])).toBe(7);
  });

  it('is null for no values and ignores non-finite ones', () => {
    expect(median([])).toBeNull();
    expect(median([NaN, Infinity])).toBeNull();
    expect(median([NaN, 2, 4])).toBe(3);
  });

  it('lies between the smallest and largest value and ignores order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 50 }), (values) => {
        const m = median(values)!;
        expect(m).toBeGreaterThanOrEqual(Math.min(...values));
        expect(m).toBeLessThanOrEqual(Math.max(...values));
        expect(median([...values].reverse())).toBe(m);
      }),
    );
  });

  it('has at least half the values on each side', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }), (values) => {
        const m = median(values)!;
        expect(values.filter((v) => v <= m).length * 2).toBeGreaterThanOrEqual(values.length);
        expect(values.filter((v) => v >= m).length * 2).toBeGreaterThanOrEqual(values.length);
      }),
    );
  });
});

describe('outlier detection', () => {
  const regular = [100, 120, 90, 110, 100, 95].map((v, i) => post(`p${i}`, v));

  it('flags old hits too but announces only posts published within the window', () => {
    const posts = [
      ...regular,
      post('fresh', 1_000, { published_at: daysAgo(2) }),
      post('edge-of-window', 1_000, { published_at: daysAgo(OUTLIER_ANNOUNCE_WINDOW_DAYS) }),
      post('last-year', 2_000, { published_at: daysAgo(365) }),
      post('undated', 1_500, { published_at: 'not a date' }),
    ];
    const found = detectOutliers(posts, { alreadyFlagged: [], now: NOW });
    expect(Object.fromEntries(found.map((o) => [o.platform_video_id, o.announce]))).toEqual({
      fresh: true,
      'edge-of-window': true,
      'last-year': false,
      undated: false,
    });
  });

  it('flags posts at or above three times the median views with their ratio', () => {
    const posts = [...regular, post('hit', 1_000), post('edge', 300)];
    const found = detectOutliers(posts, { alreadyFlagged: [], now: NOW });
    // median of 90,95,100,100,110,120,300,1000 is 105
    expect(found.map((o) => [o.platform_video_id, o.median_views, o.outlier_ratio])).toEqual([['hit', 105, 9.52]]);
    const lower = detectOutliers(posts, { threshold: 2.5, alreadyFlagged: [], now: NOW });
    expect(lower.map((o) => o.platform_video_id).sort()).toEqual(['edge', 'hit']);
    expect(lower.find((o) => o.platform_video_id === 'hit')).toMatchObject({
      url: 'https://www.tiktok.com/@someone/video/hit',
      views: 1_000,
    });
  });

  it('counts a post exactly at the threshold as an outlier', () => {
    const posts = [100, 100, 100, 100, 100, 300].map((v, i) => post(`p${i}`, v));
    expect(detectOutliers(posts, { alreadyFlagged: [], now: NOW }).map((o) => o.platform_video_id)).toEqual(['p5']);
  });

  it('flags each video once: already-flagged ids are skipped, as a set or an array', () => {
    const posts = [...regular, post('hit', 1_000), post('hit2', 2_000)];
    expect(detectOutliers(posts, { alreadyFlagged: ['hit'], now: NOW }).map((o) => o.platform_video_id)).toEqual([
      'hit2',
    ]);
    expect(detectOutliers(posts, { alreadyFlagged: new Set(['hit', 'hit2']), now: NOW })).toEqual([]);
  });

  it('returns a duplicated post only once', () => {
    const posts = [...regular, post('hit', 1_000), post('hit', 1_000)];
    expect(detectOutliers(posts, { alreadyFlagged: [], now: NOW })).toHaveLength(1);
  });

  it('flags nothing with fewer posts with views than minPosts', () => {
    const posts = [post('a', 10), post('b', 10), post('c', 10), post('d', 10), post('hit', 1_000), post('x', null)];
    expect(detectOutliers(posts, { minPosts: 6, alreadyFlagged: [], now: NOW })).toEqual([]);
    expect(detectOutliers(posts, { minPosts: 5, alreadyFlagged: [], now: NOW })).toHaveLength(1);
  });

  it('flags nothing when the median is zero', () => {
    const posts = [0, 0, 0, 0, 0, 50].map((v, i) => post(`p${i}`, v));
    expect(detectOutliers(posts, { alreadyFlagged: [], now: NOW })).toEqual([]);
  });

  it('refuses a threshold that is not positive', () => {
    expect(() => detectOutliers(regular, { threshold: 0, alreadyFlagged: [], now: NOW })).toThrow(RangeError);
  });

  it('orders outliers by weighted score, highest first', () => {
    const posts = [
      ...regular,
      post('old', 5_000, { published_at: daysAgo(200) }),
      post('fresh', 5_000, { published_at: daysAgo(0) }),
    ];
    expect(detectOutliers(posts, { alreadyFlagged: [], now: NOW }).map((o) => o.platform_video_id)).toEqual([
      'fresh',
      'old',
    ]);
  });

  const candidate = fc.record({
    platform_video_id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
    url: fc.constant('https://example.test/v'),
    views: fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: null }),
    likes: fc.option(fc.integer({ min: 0, max: 1e8 }), { nil: null }),
    comments: fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: null }),
    shares: fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: null }),
    published_at: fc.integer({ min: -5, max: 400 }).map(daysAgo),
  });

  it('never returns an already-flagged id, a repeated id or a post under the threshold', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 40 }),
        fc.subarray(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (posts, flagged, threshold) => {
          const found = detectOutliers(posts, { threshold, alreadyFlagged: flagged, now: NOW });
          const ids = found.map((o) => o.platform_video_id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const o of found) {
            expect(flagged).not.toContain(o.platform_video_id);
            expect(o.views).toBeGreaterThanOrEqual(threshold * o.median_views);
            expect(o.median_views).toBeGreaterThan(0);
          }
        },
      ),
    );
  });

  it('keeps the weighted score within 0–100', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 40 }), (posts) => {
        for (const o of detectOutliers(posts, { threshold: 1, minPosts: 1, alreadyFlagged: [], now: NOW })) {
          expect(o.weighted_score).toBeGreaterThanOrEqual(0);
          expect(o.weighted_score).toBeLessThanOrEqual(100);
        }
      }),
    );
  });
});

describe('weighted outlier score', () => {
  const score = (views: number, likes: number | null, ageDays: number, median = 1_000) =>
    weightedOutlierScore({ views, likes, comments: null, shares: null, published_at: daysAgo(ageDays) }, median, NOW);

  it('follows the documented formula', () => {
    // 10× → R 0.5; 5 % engagement → E 0.5; published now → F 1: 100 × 0.5 × (0.6 + 0.125 + 0.15)
    expect(score(10_000, 500, 0)).toBe(43.75);
    // 100× with 10 % engagement published now is the ceiling
    expect(score(100_000, 10_000, 0)).toBe(100);
    // at the median there is nothing outlying
    expect(score(1_000, 1_000, 0)).toBe(0);
    // unknown engagement counts as 0.5; 30 days old halves freshness
    expect(score(10_000, null, 30)).toBe(round2(100 * 0.5 * (0.6 + 0.125 + 0.075)));
  });

  it('never decreases as the outlier ratio grows at a fixed engagement rate and age', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 365 }),
        (a, b, perMille, age) => {
          // views in whole thousands and likes per thousand views keep the engagement rate bit-identical
          const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
          expect(score(hi * 1_000, hi * perMille, age)).toBeGreaterThanOrEqual(score(lo * 1_000, lo * perMille, age));
        },
      ),
    );
  });

  it('never decreases with more likes, comments or shares at fixed views', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3_000, max: 1e8 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.constantFrom('likes', 'comments', 'shares'),
        (views, a, b, field) => {
          const base = { views, likes: 0, comments: 0, shares: 0, published_at: daysAgo(3) };
          const low = weightedOutlierScore({ ...base, [field]: Math.min(a, b) }, 1_000, NOW);
          const high = weightedOutlierScore({ ...base, [field]: Math.max(a, b) }, 1_000, NOW);
          expect(high).toBeGreaterThanOrEqual(low);
        },
      ),
    );
  });

  it('never decreases as the post gets newer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3_000, max: 1e8 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        (views, a, b) => {
          expect(score(views, views * 0.05, Math.min(a, b))).toBeGreaterThanOrEqual(
            score(views, views * 0.05, Math.max(a, b)),
          );
        },
      ),
    );
  });

  it('treats an unparseable publish date as half-fresh rather than failing', () => {
    const s = weightedOutlierScore(
      { views: 10_000, likes: 500, comments: null, shares: null, published_at: 'not a date' },
      1_000,
      NOW,
    );
    expect(s).toBe(round2(100 * 0.5 * (0.6 + 0.125 + 0.075)));
  });
});

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
