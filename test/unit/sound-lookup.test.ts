import fc from 'fast-check';
import {
  diversitySample,
  momentum,
  resurged,
  sampleNote,
  sanitizeEvidence,
  soundStats,
  timeWindows,
  topVideo,
  type SoundLookupVideo,
  type TimeWindow,
} from '../../domain/sound-lookup';
import { assembleTrends, heuristicSoundTrendGenerator } from '../../domain/sound-trends';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-25T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

let seq = 0;
function video(
  over: Partial<Omit<SoundLookupVideo, 'author'>> & { author?: string; verified?: boolean | null } = {},
): SoundLookupVideo {
  const { author, verified, ...rest } = over;
  seq += 1;
  return {
    platform_video_id: `7${String(seq).padStart(18, '0')}`,
    url: `https://www.tiktok.com/@${author ?? 'someone'}/video/${seq}`,
    description: 'a clip',
    views: 1000,
    likes: 100,
    comments: 10,
    shares: 5,
    collects: 7,
    publish_date: daysAgo(3),
    duration_seconds: 12,
    thumbnail_url: null,
    hashtags: [],
    author: {
      unique_id: author ?? `creator${seq}`,
      nickname: null,
      user_id: null,
      followers: null,
      is_verified: verified === undefined ? false : verified,
    },
    is_commerce_music: false,
    ...rest,
  };
}

const window = (avg: number | null): TimeWindow => ({
  start_date: '2026-01-01',
  end_date: '2026-01-02',
  video_count: 1,
  total_views: avg ?? 0,
  total_likes: 0,
  total_comments: 0,
  total_shares: 0,
  avg_views: avg,
  description: '',
});

const arbVideo = fc
  .record({
    views: fc.option(fc.integer({ min: 0, max: 1e8 }), { nil: null }),
    likes: fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: null }),
    age: fc.integer({ min: 0, max: 400 }),
    author: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    verified: fc.option(fc.boolean(), { nil: null }),
    duration: fc.option(fc.integer({ min: 1, max: 180 }), { nil: null }),
    tags: fc.array(fc.constantFrom('Dance', 'dance', 'fyp', 'cooking'), { maxLength: 3 }),
  })
  .map((r) =>
    video({
      views: r.views,
      likes: r.likes,
      publish_date: daysAgo(r.age),
      author: r.author,
      verified: r.verified,
      duration_seconds: r.duration,
      hashtags: r.tags.map((t) => t.toLowerCase()),
    }),
  );

describe('soundStats', () => {
  it('computes the views block exactly: median of an even count is the mean of the middle two', () => {
    const vs = [100, 400, 200, 300].map((views) => video({ views }));
    expect(soundStats(vs, NOW).views).toEqual({ total: 1000, avg: 250, median: 250, max: 400, min: 100 });
  });

  it('handles one video and all-equal views', () => {
    expect(soundStats([video({ views: 7 })], NOW).views).toEqual({ total: 7, avg: 7, median: 7, max: 7, min: 7 });
    const equal = soundStats(
      [1, 2, 3].map(() => video({ views: 5 })),
      NOW,
    );
    expect(equal.views).toEqual({ total: 15, avg: 5, median: 5, max: 5, min: 5 });
    // ties for the top video go to the earliest published
    const tied = [video({ views: 9, publish_date: daysAgo(1) }), video({ views: 9, publish_date: daysAgo(5) })];
    expect(topVideo(tied)).toBe(tied[1]);
  });

  it('says null, never 0, for what no video exposes, and on an empty corpus', () => {
    const hidden = soundStats([video({ shares: null, collects: null })], NOW);
    expect(hidden.engagement.total_shares).toBeNull();
    expect(hidden.engagement.avg_shares).toBeNull();
    expect(hidden.engagement.total_collects).toBeNull();
    const empty = soundStats([], NOW);
    expect(empty.views).toEqual({ total: null, avg: null, median: null, max: null, min: null });
    expect(empty.engagement.engagement_rate).toBeNull();
    expect(empty.top_video).toBeNull();
    expect(empty.verified_creator_pct).toBeNull();
    expect(empty.commerce_music_pct).toBeNull();
  });

  it('rates engagement over videos with known views only', () => {
    const s = soundStats(
      [video({ views: 1000, likes: 80, comments: 10, shares: 10 }), video({ views: null, likes: 500 })],
      NOW,
    );
    expect(s.engagement.engagement_rate).toBe(0.1);
    expect(s.engagement.total_likes).toBe(580);
  });

  it('deduplicates creators by unique id and counts each verified creator once', () => {
    const vs = [
      video({ author: 'ann', views: 10, verified: true }),
      video({ author: 'ann', views: 30, verified: true }),
      video({ author: 'bob', views: 25 }),
      video({ author: 'cy', views: 1, is_commerce_music: true }),
    ];
    const s = soundStats(vs, NOW);
    expect(s.top_creators.map((c) => [c.unique_id, c.video_count, c.total_views])).toEqual([
      ['ann', 2, 40],
      ['bob', 1, 25],
      ['cy', 1, 1],
    ]);
    expect(s.verified_creator_count).toBe(1);
    expect(s.verified_creator_pct).toBe(33.33);
    expect(s.commerce_music_pct).toBe(25);
  });

  it('keeps its invariants on any corpus', () => {
    fc.assert(
      fc.property(fc.array(arbVideo, { maxLength: 60 }), (vs) => {
        const s = soundStats(vs, NOW);
        expect(s.videos_analyzed).toBe(vs.length);
        const d = s.duration_distribution;
        expect(d.under_15s + d.between_15_30s + d.between_30_60s + d.over_60s).toBe(
          vs.filter((v) => v.duration_seconds !== null).length,
        );
        expect(s.velocity.videos_per_week.reduce((a, w) => a + w.videos, 0)).toBe(vs.length);
        const ids = s.top_creators.map((c) => c.unique_id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(s.top_hashtags.every((h) => h.hashtag === h.hashtag.toLowerCase())).toBe(true);
        if (s.views.median !== null) {
          expect(s.views.median).toBeGreaterThanOrEqual(s.views.min as number);
          expect(s.views.median).toBeLessThanOrEqual(s.views.max as number);
          expect(s.top_video?.views).toBe(s.views.max);
        }
        for (const p of [s.verified_creator_pct, s.commerce_music_pct]) {
          if (p !== null) expect(p >= 0 && p <= 100).toBe(true);
        }
      }),
    );
  });
});

describe('sampleNote', () => {
  it('climbs the ladder at 20, 50 and 200 videos', () => {
    expect([0, 19, 20, 49, 50, 199, 200, 500].map(sampleNote)).toEqual([
      'insufficient_corpus',
      'insufficient_corpus',
      'small_corpus_workable',
      'small_corpus_workable',
      'healthy_corpus',
      'healthy_corpus',
      'deep_corpus',
      'deep_corpus',
    ]);
  });
});

describe('diversitySample', () => {
  it('takes every creator’s best video before anyone’s second', () => {
    const vs = [
      ...[100, 90, 80, 70].map((views) => video({ author: 'regular', views })),
      video({ author: 'one', views: 5 }),
      video({ author: 'two', views: 3 }),
    ];
    const picked = diversitySample(vs, 4);
    expect(picked.map((v) => v.author.unique_id).sort()).toEqual(['one', 'regular', 'regular', 'two']);
    expect(picked.map((v) => v.views)).toEqual([100, 90, 5, 3]);
  });

  it('returns n distinct videos of the corpus (all of it when smaller)', () => {
    fc.assert(
      fc.property(fc.array(arbVideo, { maxLength: 40 }), fc.integer({ min: 0, max: 50 }), (vs, n) => {
        const picked = diversitySample(vs, n);
        expect(picked).toHaveLength(Math.min(n, vs.length));
        expect(new Set(picked).size).toBe(picked.length);
        for (const v of picked) expect(vs).toContain(v);
      }),
    );
  });
});

describe('timeWindows, resurged, momentum', () => {
  it('gives no window to evidence spanning under 14 days, or to a single video', () => {
    expect(timeWindows([video({ publish_date: daysAgo(1) })])).toEqual([]);
    expect(timeWindows([video({ publish_date: daysAgo(20) }), video({ publish_date: daysAgo(7) })])).toEqual([]);
  });

  it('splits at a gap of more than 14 days and aggregates each window from real dates', () => {
    const early = [60, 58, 55].map((d) => video({ publish_date: daysAgo(d), views: 100, likes: 10 }));
    const late = [10, 5].map((d) => video({ publish_date: daysAgo(d), views: 400, likes: null }));
    const windows = timeWindows([...late, ...early]);
    expect(windows).toEqual([
      {
        start_date: daysAgo(60).slice(0, 10),
        end_date: daysAgo(55).slice(0, 10),
        video_count: 3,
        total_views: 300,
        total_likes: 30,
        total_comments: 30,
        total_shares: 15,
        avg_views: 100,
        description: expect.stringMatching(/^3 videos from .* to .*, 100 views on average$/),
      },
      expect.objectContaining({ video_count: 2, total_views: 800, total_likes: 0, avg_views: 400 }),
    ]);
    expect(resurged(windows)).toBe(true);
    expect(momentum(windows)).toBe('stronger');
  });

  it('calls one continuous stretch neither resurged nor anything on momentum', () => {
    const steady = [40, 30, 20, 10, 0].map((d) => video({ publish_date: daysAgo(d) }));
    const windows = timeWindows(steady);
    expect(windows).toHaveLength(1);
    expect(resurged(windows)).toBe(false);
    expect(momentum(windows)).toBeNull();
  });

  it('applies a ±15 % deadband, both bounds inside', () => {
    expect(momentum([window(100), window(115)])).toBe('similar');
    expect(momentum([window(100), window(85)])).toBe('similar');
    expect(momentum([window(100), window(115.01)])).toBe('stronger');
    expect(momentum([window(100), window(84.99)])).toBe('weaker');
    expect(momentum([window(0), window(0)])).toBe('similar');
    expect(momentum([window(0), window(1)])).toBe('stronger');
    expect(momentum([window(null), window(1)])).toBeNull();
    // only the last two windows count
    expect(momentum([window(1), window(100), window(100)])).toBe('similar');
  });

  it('makes disjoint, ordered windows that partition the dated evidence', () => {
    fc.assert(
      fc.property(fc.array(arbVideo, { maxLength: 50 }), (vs) => {
        const windows = timeWindows(vs);
        if (windows.length === 0) return;
        expect(windows.reduce((a, w) => a + w.video_count, 0)).toBe(vs.length);
        for (let i = 0; i < windows.length; i++) {
          expect(windows[i]!.start_date <= windows[i]!.end_date).toBe(true);
          if (i > 0) expect(windows[i - 1]!.end_date < windows[i]!.start_date).toBe(true);
        }
        expect(resurged(windows)).toBe(windows.length >= 2);
        // null with one window, or when a window's average is unknown (every view count hidden)
        const known = windows.length >= 2 && windows.slice(-2).every((w) => w.avg_views !== null);
        expect(momentum(windows) === null).toBe(!known);
      }),
    );
  });
});

describe('trends', () => {
  it('strips ids that are not in the corpus, once each', () => {
    expect(sanitizeEvidence(['a', 'x', 'b', 'a'], new Set(['a', 'b']))).toEqual(['a', 'b']);
  });

  it('assembles a model’s answer: hallucinated ids removed, empty trends dropped, windows computed', () => {
    const corpus = [50, 45, 40, 5, 2].map((d) => video({ publish_date: daysAgo(d), views: d * 10 }));
    const ids = corpus.map((v) => v.platform_video_id);
    const block = assembleTrends(
      {
        summary: 'two phases',
        trends: [
          { name: 'Ghost', description: 'd', tactics: [], confidence: 0.9, evidence_video_ids: ['7999', 'nope'] },
          {
            name: 'Montage',
            description: 'd',
            tactics: ['cut on the beat'],
            confidence: 0.777,
            evidence_video_ids: [...ids, 'invented'],
          },
        ],
      },
      corpus,
      { modelUsed: 'some-model', tokens: { prompt: 100, completion: 20 } },
    );
    expect(block).toMatchObject({ analyzed: true, status: 'ok', model_used: 'some-model', tokens_used: 120 });
    expect(block.trends).toHaveLength(1);
    expect(block.trends[0]).toMatchObject({
      name: 'Montage',
      confidence: 0.78,
      video_count: 5,
      evidence_video_ids: ids,
      resurged: true,
      momentum: 'weaker',
    });
    expect(block.trends[0]!.time_windows.map((w) => w.video_count)).toEqual([3, 2]);
  });

  it('has a deterministic heuristic analyst that names itself and cites only corpus ids', async () => {
    const corpus = Array.from({ length: 30 }, (_, i) =>
      video({ hashtags: i % 2 ? ['dance'] : ['cooking', 'fyp'], views: 100 + i, publish_date: daysAgo(i * 3) }),
    );
    const input = { sound: { title: 'Song', author_name: 'Artist', is_original: false }, videos: corpus };
    const a = await heuristicSoundTrendGenerator.generate(input);
    const b = await heuristicSoundTrendGenerator.generate(input);
    expect(a).toEqual(b);
    expect(a.modelUsed).toBe('heuristic-sound-trends-v1');
    const block = assembleTrends(a.analysis, corpus, a);
    expect(block.trends.map((t) => t.name).sort()).toEqual(['#cooking videos', '#dance videos', '#fyp videos']);
    for (const t of block.trends) expect(t.video_count).toBe(15);
    expect(block.tokens_used).toBeNull();
  });
});
