import fc from 'fast-check';
import {
  commentTone,
  generateCreatorReport,
  HEURISTIC_MODEL_NAME,
  heuristicCreatorReportGenerator,
  type CreatorAnalysis,
  type CreatorReportInput,
  type CreatorReportProfile,
} from '../../domain/creator-report';
import type { Comment, Post } from '../../domain/platform';
import type { CreatorMetrics } from '../../domain/snapshots';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-23T14:00:00.000Z');
const daysAgo = (d: number, hourUtc = 18) => {
  const t = new Date(NOW.getTime() - d * DAY);
  t.setUTCHours(hourUtc, 0, 0, 0);
  return t;
};

const profile: CreatorReportProfile = {
  platform: 'tiktok',
  handle: 'cook.with.ana',
  display_name: 'Ana Cooks',
  followers: 250_000,
  subscribers: null,
  category: 'food',
};

function post(id: string, views: number | null, duration: number | null, hashtags: string[], ageDays: number): Post {
  return {
    platform: 'tiktok',
    platform_video_id: id,
    url: `https://www.tiktok.com/@cook.with.ana/video/${id}`,
    title: null,
    description: null,
    thumbnail_url: null,
    published_at: daysAgo(ageDays).toISOString(),
    duration_seconds: duration,
    views,
    likes: null,
    comments: null,
    shares: null,
    bookmarks: null,
    hashtags,
    is_duet: false,
    is_stitch: false,
  };
}

// three short #recipe hits, nine 45-second posts doing 100K–180K
const posts: Post[] = [
  post('t1', 900_000, 20, ['#Recipe', 'fyp'], 1),
  post('t2', 800_000, 25, ['recipe'], 3),
  post('t3', 700_000, 18, ['recipe', 'dessert'], 5),
  ...[100, 110, 120, 130, 140].map((k, i) => post(`r${i + 1}`, k * 1_000, 45, ['vlog'], 7 + 2 * i)),
  post('r6', 150_000, 45, ['recipe'], 17),
  ...[160, 170, 180].map((k, i) => post(`r${i + 7}`, k * 1_000, 45, ['travel'], 19 + 2 * i)),
];

const snapshot = (
  d: number,
  followers: number,
  videos: number,
  likes: number,
): CreatorMetrics & { snapshot_at: Date } => ({
  followers,
  following: 80,
  total_videos: videos,
  total_views: 4_000_000 + videos * 1_000,
  total_likes: likes,
  collected_post_count: 12,
  subscribers: null,
  snapshot_at: new Date(NOW.getTime() - d * DAY),
});
const snapshots = [
  snapshot(10, 240_000, 100, 5_000_000),
  snapshot(5, 245_000, 104, 5_100_000),
  snapshot(0, 250_000, 106, 5_150_000),
];

const comment = (id: string, videoId: string, text: string, likes: number): Comment => ({
  id,
  platform_video_id: videoId,
  author_handle: `fan_${id}`,
  text,
  likes,
  published_at: daysAgo(1).toISOString(),
});
const comments: Comment[] = [
  comment('c1', 't1', 'I love this recipe, thank you! 😍', 500),
  comment('c2', 't1', 'hahaha my kitchen after this', 120),
  comment('c3', 't2', 'This is not good, too salty', 30),
  comment('c4', 't2', 'Where do you buy the pan?', 80),
  comment('c5', 't3', 'gracias, increíble receta', 10),
];

const input: CreatorReportInput = { profile, snapshots, posts, comments, now: NOW };

describe('heuristic creator report', () => {
  const report = generateCreatorReport(input);

  it('groups hashtags into themes with their real post counts and average views', () => {
    expect(report.content_themes.map(({ name, avg_views, video_count }) => ({ name, avg_views, video_count }))).toEqual(
      [
        { name: '#vlog', avg_views: 120_000, video_count: 5 },
        { name: '#recipe', avg_views: 637_500, video_count: 4 },
        { name: '#travel', avg_views: 170_000, video_count: 3 },
      ],
    );
    expect(report.content_themes[1]!.description).toBe(
      "4 posts tagged #recipe, averaging 637.5K views, 4.1× the creator's median of 155K.",
    );
  });

  it('merges a tag that mostly travels with another into one theme', () => {
    const tagged = [
      post('a', 100, 20, ['pasta', 'italian'], 1),
      post('b', 200, 20, ['pasta', 'italian'], 2),
      post('c', 300, 20, ['pasta'], 3),
      post('d', 400, 20, ['italian', 'pizza'], 4),
      post('e', 500, 20, ['pizza'], 5),
    ];
    const themes = generateCreatorReport({ ...input, posts: tagged }).content_themes;
    expect(themes.map((t) => [t.name, t.video_count, t.avg_views])).toEqual([
      ['#italian / #pasta', 4, 250],
      ['#pizza', 2, 450],
    ]);
  });

  it('says what works by comparing the top quartile with the rest, with real numbers and ids', () => {
    expect(report.what_works).toEqual([
      {
        insight: 'Videos running 15–30 s drive the biggest results',
        evidence:
          '3 of 3 top-quartile posts (100%) run 15–30 s, against 0 of 9 (0%) of the rest; those 3 average 800K views against a creator median of 155K.',
        evidence_video_ids: ['t1', 't2', 't3'],
      },
      {
        insight: 'Posts tagged #recipe outperform',
        evidence:
          '3 of 3 top-quartile posts (100%) are tagged #recipe, against 1 of 9 (11%) of the rest; those 3 average 800K views against a creator median of 155K.',
        evidence_video_ids: ['t1', 't2', 't3'],
      },
    ]);
  });

  it('picks the best formats and the optimal duration from view-weighted duration bands', () => {
    expect(report.posting_patterns.best_formats).toEqual([
      '15–30 s videos (median 800K views over 3 posts)',
      '30–60 s videos (median 140K views over 9 posts)',
    ]);
    expect(report.posting_patterns.optimal_duration).toBe('18–25 seconds');
  });

  it('measures posting frequency from publish dates', () => {
    expect(report.posting_patterns.frequency).toBe(
      'About 3.5 posts per week (one every 2.0 days on average) across 12 dated posts from 2026-02-28 to 2026-03-22. ' +
        'Latest post 0.8 days ago.',
    );
  });

  it('describes growth from snapshot deltas', () => {
    expect(report.overview.growth_insight).toBe(
      'Followers went from 240K to 250K, +10K (+4.17%), across 3 snapshots between 2026-03-13 and 2026-03-23. ' +
        '7-day growth: +10K (+4.17%). Growth is steady: +1K/day since 2026-03-18 against +1K/day before. ' +
        'The latest cycle recorded +2 videos, +50K likes and +2K views.',
    );
  });

  it('heads the overview with the audience size and median views', () => {
    expect(report.overview.headline).toBe(
      'Ana Cooks (@cook.with.ana): 250K-follower TikTok food creator with a median of 155K views across 12 collected posts.',
    );
    expect(report.overview.content_focus).toContain(
      '#vlog (5 of 12 posts), #recipe (4 of 12 posts) and #travel (3 of 12 posts)',
    );
    expect(report.overview.recent_focus).toMatch(/^The 12 posts from the last 30 days centre on #vlog \(5 of 12\)/);
  });

  it('reads sentiment from comment text and lists the most-liked comments', () => {
    const s = report.audience_sentiment;
    expect(s.sentiment_labels).toEqual(['positive', 'appreciative', 'amused', 'curious']);
    expect(s.overall_summary).toMatch(
      /^Positive across 5 sampled comments on 3 videos: 60% positive, 20% negative, 20% neutral/,
    );
    expect(s.overall_summary).toContain('Weighted by comment likes, 85% of likes go to positive comments.');
    expect(s.notable_comments.map((c) => [c.likes, c.content])).toEqual([
      [500, 'I love this recipe, thank you! 😍'],
      [120, 'hahaha my kitchen after this'],
      [80, 'Where do you buy the pan?'],
    ]);
    expect(s.notable_comments[0]!.insight).toBe(
      'Most-liked comment: positive, praises or thanks the creator; 500 likes, 68% of all likes in the sample, on video t1 (900K views).',
    );
  });

  it('is deterministic and exposed through the generator interface under its model name', async () => {
    expect(generateCreatorReport(input)).toEqual(report);
    expect(heuristicCreatorReportGenerator.name).toBe(HEURISTIC_MODEL_NAME);
    expect(HEURISTIC_MODEL_NAME).toBe('heuristic-analyst-v1');
    await expect(heuristicCreatorReportGenerator.generate(input)).resolves.toEqual({
      analysis: report,
      modelUsed: HEURISTIC_MODEL_NAME,
      tokens: null,
    });
  });

  it('says so, without numbers it does not have, when there are no posts, comments or snapshots', () => {
    const empty = generateCreatorReport({
      profile: { ...profile, followers: null },
      snapshots: [],
      posts: [],
      comments: [],
      now: NOW,
    });
    expect(empty.overview.headline).toBe(
      'Ana Cooks (@cook.with.ana): TikTok food creator (follower count not available) with no collected posts with view counts yet.',
    );
    expect(empty.overview.growth_insight).toMatch(/^No snapshots recorded yet/);
    expect(empty.overview.content_focus).toMatch(/^No posts collected yet/);
    expect(empty.overview.recent_focus).toMatch(/^No dated posts collected yet/);
    expect(empty.content_themes).toEqual([]);
    expect(empty.what_works).toEqual([
      {
        insight: 'Not enough posts yet to tell what works',
        evidence:
          'No collected post has a view count; comparing top performers needs at least 8. A post collection adds more.',
        evidence_video_ids: [],
      },
    ]);
    expect(empty.posting_patterns).toEqual({
      frequency: 'No dated posts collected yet, so posting frequency cannot be measured.',
      best_formats: [],
      optimal_duration: 'Not enough posts with both a duration and a view count to recommend a length.',
    });
    expect(empty.audience_sentiment).toEqual({
      overall_summary: 'No comments sampled yet, so audience sentiment cannot be assessed.',
      sentiment_labels: [],
      notable_comments: [],
    });
    expect(JSON.stringify(empty)).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('explains that a handful of posts is too few to compare, citing those posts', () => {
    const few = generateCreatorReport({ ...input, posts: posts.slice(0, 3), snapshots: snapshots.slice(2) });
    expect(few.what_works).toHaveLength(1);
    expect(few.what_works[0]!.evidence).toMatch(/^Only 3 collected posts have a view count/);
    expect(few.what_works[0]!.evidence_video_ids).toEqual(['t1', 't2', 't3']);
    expect(few.overview.growth_insight).toMatch(/^One snapshot with a follower count so far \(250K on 2026-03-23\)/);
  });

  it('falls back to a spread insight when no attribute separates the top posts', () => {
    const plain = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
      ...post(`p${i}`, i * 1_000, 40, [], i),
      published_at: daysAgo(i * 7).toISOString(),
    }));
    const [only] = generateCreatorReport({ ...input, posts: plain }).what_works;
    expect(only!.evidence_video_ids).toEqual(['p8', 'p7']);
    expect(only!.evidence).toBe(
      'The top 2 of 8 posts average 7.5K views, 2.1× the 3.5K median of the rest; no duration, hashtag, weekday, posting hour or format is clearly over-represented among them.',
    );
  });

  it('spots duets outperforming originals on TikTok', () => {
    const remixed = posts.map((p) =>
      p.platform_video_id.startsWith('t') ? { ...p, is_duet: true, duration_seconds: 45, hashtags: [] } : p,
    );
    const insights = generateCreatorReport({ ...input, posts: remixed }).what_works.map((w) => w.insight);
    expect(insights).toContain('Duets punch above their weight');
  });

  it('uses subscribers for a YouTube channel that reports no follower count', () => {
    const yt = generateCreatorReport({
      ...input,
      profile: { ...profile, platform: 'youtube', followers: null, subscribers: 1_250_000, category: null },
      snapshots: snapshots.map((s) => ({ ...s, followers: null, subscribers: s.followers })),
    });
    expect(yt.overview.headline).toMatch(/^Ana Cooks \(@cook\.with\.ana\): 1\.3M-subscriber YouTube creator with/);
    expect(yt.overview.growth_insight).toMatch(/^Subscribers went from 240K to 250K/);
  });
});

describe('comment tone lexicon', () => {
  it('scores positive and negative words in several languages', () => {
    expect(commentTone('This is amazing').score).toBeGreaterThan(0);
    expect(commentTone('worst video ever').score).toBeLessThan(0);
    expect(commentTone('me encanta, increíble').score).toBeGreaterThan(0);
    expect(commentTone('que asco').score).toBeLessThan(0);
    expect(commentTone('amei demais').score).toBeGreaterThan(0);
    expect(commentTone("c'est nul").score).toBeLessThan(0);
    expect(commentTone('bellissimo').score).toBeGreaterThan(0);
    expect(commentTone('langweilig').score).toBeLessThan(0);
    expect(commentTone('the pan is blue').score).toBe(0);
  });

  it('flips a sentiment word that follows a negation', () => {
    expect(commentTone('not good at all').score).toBeLessThan(0);
    expect(commentTone("I don't hate it").score).toBeGreaterThan(0);
    expect(commentTone('no es malo').score).toBeGreaterThan(0);
  });

  it('reads emoji, laughter, thanks and questions', () => {
    expect(commentTone('😂😂😂')).toMatchObject({ amused: true });
    expect(commentTone('jajajaja').amused).toBe(true);
    expect(commentTone('kkkkk').amused).toBe(true);
    expect(commentTone('😡👎').score).toBeLessThan(0);
    expect(commentTone('merci beaucoup').appreciative).toBe(true);
    expect(commentTone('how long in the oven?').question).toBe(true);
    expect(commentTone('lovely').amused).toBe(false);
  });
});

describe('heuristic creator report invariants', () => {
  const ids = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11', 'v12'];
  const count = fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: null });
  const arbPost: fc.Arbitrary<Post> = fc.record({
    platform: fc.constantFrom('tiktok' as const, 'youtube' as const, 'instagram' as const),
    platform_video_id: fc.constantFrom(...ids),
    url: fc.constant('https://example.test/v'),
    title: fc.constant(null),
    description: fc.constant(null),
    thumbnail_url: fc.constant(null),
    published_at: fc.oneof(
      fc
        .integer({ min: -5, max: 400 })
        .map((d) => new Date(NOW.getTime() - d * DAY - 3_600_000 * (d % 24)).toISOString()),
      fc.constant('not a date'),
    ),
    duration_seconds: fc.option(fc.integer({ min: -5, max: 4_000 }), { nil: null }),
    views: count,
    likes: count,
    comments: count,
    shares: count,
    bookmarks: count,
    hashtags: fc.subarray(['#cooking', 'recipe', 'FYP', 'viral', 'pasta', 'travel', 'vlog', '', '#']),
    is_duet: fc.option(fc.boolean(), { nil: null }),
    is_stitch: fc.option(fc.boolean(), { nil: null }),
  });
  const arbComment: fc.Arbitrary<Comment> = fc.record({
    id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'),
    platform_video_id: fc.constantFrom(...ids, 'elsewhere'),
    author_handle: fc.constant('fan'),
    text: fc
      .array(fc.constantFrom('love', 'hate', 'not', 'the', 'jaja', '😂', '?', 'gracias', 'nul', '   ', 'pan'), {
        maxLength: 8,
      })
      .map((w) => w.join(' ')),
    likes: fc.integer({ min: 0, max: 1_000_000 }),
    published_at: fc.constant(NOW.toISOString()),
  });
  const arbSnapshot = fc.record({
    followers: count,
    following: count,
    total_videos: count,
    total_views: count,
    total_likes: count,
    collected_post_count: count,
    subscribers: count,
    snapshot_at: fc.integer({ min: -2, max: 120 }).map((d) => new Date(NOW.getTime() - d * DAY)),
  });
  const arbInput = fc.record({
    profile: fc.record({
      platform: fc.constantFrom('tiktok' as const, 'youtube' as const, 'instagram' as const),
      handle: fc.constant('someone'),
      display_name: fc.constantFrom('', 'someone', 'Some One'),
      followers: count,
      subscribers: count,
      category: fc.constantFrom(null, '', 'comedy'),
    }),
    snapshots: fc.array(arbSnapshot, { maxLength: 12 }),
    posts: fc.array(arbPost, { maxLength: 30 }),
    comments: fc.array(arbComment, { maxLength: 15 }),
    now: fc.constant(NOW),
  });

  function walk(value: unknown, path: string, visit: (v: unknown, path: string) => void): void {
    visit(value, path);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, visit);
    }
  }

  it('never contains NaN, Infinity, undefined or null, and only cites real input post ids', () => {
    fc.assert(
      fc.property(arbInput, (generated) => {
        const report: CreatorAnalysis = generateCreatorReport(generated);
        walk(report, 'analysis', (v, path) => {
          expect({ path, ok: v !== undefined && v !== null }).toEqual({ path, ok: true });
          if (typeof v === 'number') expect({ path, finite: Number.isFinite(v) }).toEqual({ path, finite: true });
          if (typeof v === 'string') expect(v).not.toMatch(/NaN|undefined|Infinity|null/);
        });
        const postIds = new Set(generated.posts.map((p) => p.platform_video_id));
        for (const w of report.what_works) for (const id of w.evidence_video_ids) expect(postIds.has(id)).toBe(true);
        for (const t of report.content_themes) {
          expect(Number.isInteger(t.avg_views) && t.avg_views >= 0).toBe(true);
          expect(t.video_count).toBeGreaterThanOrEqual(2);
        }
        expect(report.content_themes.length).toBeLessThanOrEqual(5);
        const likes = new Set(generated.comments.map((c) => c.likes));
        for (const c of report.audience_sentiment.notable_comments) expect(likes.has(c.likes)).toBe(true);
        expect(generateCreatorReport(generated)).toEqual(report);
      }),
      { numRuns: 300 },
    );
  });
});
