import fc from 'fast-check';
import {
  creatorDeltas,
  growthSummary,
  totalViewsFromPosts,
  videoDeltas,
  type CreatorMetrics,
  type VideoMetrics,
} from '../../domain/snapshots';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-23T14:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

const metrics = (m: Partial<CreatorMetrics>): CreatorMetrics => ({
  followers: null,
  following: null,
  total_videos: null,
  total_views: null,
  total_likes: null,
  collected_post_count: null,
  subscribers: null,
  ...m,
});

const count = fc.integer({ min: 0, max: 2_000_000_000 });
const maybeCount = fc.option(count, { nil: null });
const creatorMetrics = fc.record({
  followers: maybeCount,
  following: maybeCount,
  total_videos: maybeCount,
  total_views: maybeCount,
  total_likes: maybeCount,
  collected_post_count: maybeCount,
  subscribers: maybeCount,
});
const fullCreatorMetrics = fc.record({
  followers: count,
  following: count,
  total_videos: count,
  total_views: count,
  total_likes: count,
  collected_post_count: count,
  subscribers: count,
});
const videoMetrics = fc.record({
  views: maybeCount,
  likes: maybeCount,
  comments: maybeCount,
  shares: maybeCount,
  bookmarks: maybeCount,
});

describe('creator snapshot deltas', () => {
  it('reproduces the seed example: change from the previous snapshot, 0 when unchanged', () => {
    const prev = metrics({
      followers: 160_300_000,
      following: 86,
      total_videos: 1311,
      total_views: 8_450_000_000,
      total_likes: 2_398_000_000,
    });
    const next = metrics({
      followers: 160_400_000,
      following: 86,
      total_videos: 1313,
      total_views: 8_455_553_979,
      total_likes: 2_400_000_000,
    });
    expect(creatorDeltas(prev, next)).toEqual({
      delta_followers: 100_000,
      delta_following: 0,
      delta_total_videos: 2,
      delta_total_views: 5_553_979,
      delta_total_likes: 2_000_000,
    });
  });

  it('gives every delta as null on the first snapshot', () => {
    fc.assert(
      fc.property(creatorMetrics, (next) => {
        expect(Object.values(creatorDeltas(null, next))).toEqual([null, null, null, null, null]);
      }),
    );
  });

  it('gives a null delta, never 0, when the metric is null on either side', () => {
    fc.assert(
      fc.property(creatorMetrics, creatorMetrics, (prev, next) => {
        const d = creatorDeltas(prev, next);
        const pairs: [keyof CreatorMetrics, number | null][] = [
          ['followers', d.delta_followers],
          ['following', d.delta_following],
          ['total_videos', d.delta_total_videos],
          ['total_views', d.delta_total_views],
          ['total_likes', d.delta_total_likes],
        ];
        for (const [key, value] of pairs) {
          const before = prev[key];
          const after = next[key];
          expect(value).toBe(before === null || after === null ? null : after - before);
        }
      }),
    );
  });

  it('chains: the deltas over a series add up to last minus first', () => {
    fc.assert(
      fc.property(fc.array(fullCreatorMetrics, { minLength: 2, maxLength: 30 }), (series) => {
        const sum = { followers: 0, following: 0, total_videos: 0, total_views: 0, total_likes: 0 };
        for (let i = 1; i < series.length; i++) {
          const d = creatorDeltas(series[i - 1]!, series[i]!);
          sum.followers += d.delta_followers!;
          sum.following += d.delta_following!;
          sum.total_videos += d.delta_total_videos!;
          sum.total_views += d.delta_total_views!;
          sum.total_likes += d.delta_total_likes!;
        }
        const first = series[0]!;
        const last = series[series.length - 1]!;
        expect(sum).toEqual({
          followers: last.followers - first.followers,
          following: last.following - first.following,
          total_videos: last.total_videos - first.total_videos,
          total_views: last.total_views - first.total_views,
          total_likes: last.total_likes - first.total_likes,
        });
      }),
    );
  });
});

describe('video snapshot deltas', () => {
  it('reports the change in each metric from the previous video snapshot', () => {
    const prev: VideoMetrics = {
      views: 84_500_000,
      likes: 6_180_000,
      comments: 30_800,
      shares: 448_000,
      bookmarks: 119_000,
    };
    const next: VideoMetrics = {
      views: 85_000_000,
      likes: 6_200_000,
      comments: 31_000,
      shares: 450_000,
      bookmarks: 120_000,
    };
    expect(videoDeltas(prev, next)).toEqual({
      delta_views: 500_000,
      delta_likes: 20_000,
      delta_comments: 200,
      delta_shares: 2_000,
      delta_bookmarks: 1_000,
    });
  });

  it('follows the same null rules as creator deltas', () => {
    fc.assert(
      fc.property(fc.option(videoMetrics, { nil: null }), videoMetrics, (prev, next) => {
        const d = videoDeltas(prev, next);
        const keys = ['views', 'likes', 'comments', 'shares', 'bookmarks'] as const;
        for (const key of keys) {
          const before = prev === null ? null : prev[key];
          const after = next[key];
          expect(d[`delta_${key}`]).toBe(before === null || after === null ? null : after - before);
        }
      }),
    );
  });
});

describe('total views from collected posts', () => {
  it('sums the known view counts and counts only the posts that contributed', () => {
    expect(totalViewsFromPosts([{ views: 100 }, { views: null }, { views: 250 }, { views: 0 }])).toEqual({
      total_views: 350,
      collected_post_count: 3,
    });
  });

  it('reports null, not 0, when no post has a view count', () => {
    expect(totalViewsFromPosts([{ views: null }, { views: null }])).toEqual({
      total_views: null,
      collected_post_count: 0,
    });
    expect(totalViewsFromPosts([])).toEqual({ total_views: null, collected_post_count: 0 });
  });
});

describe('follower growth summary', () => {
  it('measures from the last snapshot taken before the window opened', () => {
    const snaps = [
      { followers: 1_000, snapshot_at: daysAgo(10) },
      { followers: 1_100, snapshot_at: daysAgo(8) },
      { followers: 1_150, snapshot_at: daysAgo(5) },
      { followers: 1_210, snapshot_at: daysAgo(0) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: 110, growth_rate: 10 });
  });

  it('uses a snapshot exactly windowDays old as the base', () => {
    const snaps = [
      { followers: 1_900, snapshot_at: daysAgo(9) },
      { followers: 2_000, snapshot_at: daysAgo(7) },
      { followers: 2_050, snapshot_at: daysAgo(1) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: 50, growth_rate: 2.5 });
  });

  it('falls back to the earliest snapshot when tracking started inside the window', () => {
    const snaps = [
      { followers: 3_000, snapshot_at: daysAgo(2) },
      { followers: 3_001, snapshot_at: daysAgo(1) },
      { followers: 3_004, snapshot_at: daysAgo(0) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: 4, growth_rate: 0.13 });
  });

  it('ignores input order, null follower counts and snapshots after now', () => {
    const snaps = [
      { followers: 1_300, snapshot_at: daysAgo(-1) },
      { followers: 1_200, snapshot_at: daysAgo(0) },
      { followers: null, snapshot_at: daysAgo(3) },
      { followers: 1_000, snapshot_at: daysAgo(9) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: 200, growth_rate: 20 });
  });

  it('reports losses as negative gains', () => {
    const snaps = [
      { followers: 800, snapshot_at: daysAgo(8) },
      { followers: 796, snapshot_at: daysAgo(0) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: -4, growth_rate: -0.5 });
  });

  it('honours a custom window length', () => {
    const snaps = [
      { followers: 100, snapshot_at: daysAgo(29) },
      { followers: 150, snapshot_at: daysAgo(20) },
      { followers: 200, snapshot_at: daysAgo(0) },
    ];
    expect(growthSummary(snaps, NOW, 30)).toEqual({ followers_gained: 100, growth_rate: 100 });
    expect(growthSummary(snaps, NOW, 7)).toEqual({ followers_gained: 50, growth_rate: 33.33 });
  });

  it('is null with fewer than two usable snapshots or no snapshot since the window opened', () => {
    const none = { followers_gained: null, growth_rate: null };
    expect(growthSummary([], NOW)).toEqual(none);
    expect(growthSummary([{ followers: 10, snapshot_at: daysAgo(1) }], NOW)).toEqual(none);
    expect(
      growthSummary(
        [
          { followers: 10, snapshot_at: daysAgo(1) },
          { followers: null, snapshot_at: daysAgo(0) },
        ],
        NOW,
      ),
    ).toEqual(none);
    expect(
      growthSummary(
        [
          { followers: 10, snapshot_at: daysAgo(20) },
          { followers: 12, snapshot_at: daysAgo(9) },
        ],
        NOW,
      ),
    ).toEqual(none);
  });

  it('keeps the gain but gives no rate from a base of zero followers', () => {
    const snaps = [
      { followers: 0, snapshot_at: daysAgo(8) },
      { followers: 25, snapshot_at: daysAgo(0) },
    ];
    expect(growthSummary(snaps, NOW)).toEqual({ followers_gained: 25, growth_rate: null });
  });

  it('always reports a gain equal to latest minus some earlier snapshot, with a consistent rate', () => {
    const snapshot = fc.record({
      followers: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
      snapshot_at: fc.integer({ min: -60, max: 2 }).map((d) => daysAgo(-d)),
    });
    fc.assert(
      fc.property(fc.array(snapshot, { maxLength: 20 }), (snaps) => {
        const { followers_gained, growth_rate } = growthSummary(snaps, NOW);
        const usable = snaps
          .filter((s) => s.followers !== null && s.snapshot_at <= NOW)
          .sort((a, b) => a.snapshot_at.getTime() - b.snapshot_at.getTime());
        if (followers_gained === null) {
          expect(growth_rate).toBeNull();
          return;
        }
        const latest = usable[usable.length - 1]!;
        const bases = usable.filter(
          (s) => s.snapshot_at < latest.snapshot_at && latest.followers! - s.followers! === followers_gained,
        );
        expect(bases.length).toBeGreaterThan(0);
        if (growth_rate !== null) {
          const base = bases.find(
            (b) => b.followers! > 0 && Math.abs((followers_gained / b.followers!) * 100 - growth_rate) <= 0.005,
          );
          expect(base).toBeDefined();
        }
      }),
    );
  });
});
