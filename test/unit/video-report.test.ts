import {
  generateVideoReport,
  heuristicVideoReportGenerator,
  VIDEO_HEURISTIC_MODEL_NAME,
  type VideoReportInput,
} from '../../domain/video-report';
import { HEURISTIC_MODEL_NAME } from '../../domain/creator-report';
import { DAY_MS as DAY } from '../../domain/time';

const NOW = new Date('2026-03-23T14:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

const video: VideoReportInput['video'] = {
  platform: 'tiktok',
  title: "Let's just use regular belt from now on",
  published_at: daysAgo(3).toISOString(),
  duration_seconds: 21,
  views: 1_000_000,
  likes: 80_000,
  comments: 5_000,
  shares: 15_000,
  bookmarks: 4_000,
};
const snap = (d: number, views: number | null) => ({
  snapshot_at: daysAgo(d),
  views,
  likes: null,
  comments: null,
  shares: null,
  bookmarks: null,
});
const input = (extra: Partial<VideoReportInput> = {}): VideoReportInput => ({
  video,
  snapshots: [snap(2, 300_000), snap(1, 500_000), snap(0, 1_000_000)],
  comments: [],
  now: NOW,
  ...extra,
});

describe('generateVideoReport', () => {
  it('states counts, the engagement rate and its band from the real numbers', () => {
    const { performance } = generateVideoReport(input());
    expect(performance).toContain(
      '1M views, 80K likes, 5K comments, 15K shares and 4K saves 3.0 days after publishing',
    );
    // (80,000 + 5,000 + 15,000) / 1,000,000
    expect(performance).toContain('Engagement rate 10.00%');
    expect(performance).toContain('exceptional');
  });

  it('reports velocity, acceleration and breakout from the snapshot series', () => {
    const old = { ...video, published_at: daysAgo(30) };
    const { performance, recommendations } = generateVideoReport(input({ video: old }));
    expect(performance).toContain('Gaining 500K views/day between the last two snapshots (1.0 days apart)');
    expect(performance).toContain('Velocity is rising by 300K views/day per day');
    expect(performance).toContain('That crosses the breakout threshold.');
    expect(performance).toContain('Lifetime average 33.3K views/day; current velocity is 15.0× that.');
    // the same velocity on a 3-day-old video is only 1.5× its lifetime average: no breakout
    expect(generateVideoReport(input()).performance).not.toContain('breakout');
    expect(recommendations.some((r) => r.startsWith('Act while momentum builds (500K views/day)'))).toBe(true);
  });

  it('compares views with the creator median and recommends the format of an outlier', () => {
    const { performance, recommendations } = generateVideoReport(input({ creatorMedianViews: 200_000 }));
    expect(performance).toContain("5.0× the creator's median of 200K views per post: an outlier");
    expect(recommendations[0]).toMatch(/^Leverage this format: at 5\.0×/);
    const below = generateVideoReport(input({ creatorMedianViews: 2_000_000 }));
    expect(below.performance).toContain('0.5× the creator');
    expect(below.recommendations.join(' ')).not.toContain('Leverage');
  });

  it('says velocity needs another cycle with one snapshot, and never prints NaN', () => {
    const report = generateVideoReport(input({ snapshots: [snap(0, 1_000_000)] }));
    expect(report.performance).toContain('One snapshot so far');
    expect(report.recommendations.join(' ')).toContain('Let 2 more tracking cycles run');
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('names hidden metrics instead of inventing them', () => {
    const hidden = { ...video, views: null, shares: null, bookmarks: null };
    const report = generateVideoReport(input({ video: hidden, snapshots: [snap(1, null), snap(0, null)] }));
    expect(report.performance).toContain('Hidden by the platform: views, shares and saves.');
    expect(report.performance).toContain('Without a view count there is no engagement rate.');
    expect(report.performance).toContain('No snapshot with a view count yet');
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('computes engagement over the counts the platform shows', () => {
    const { performance } = generateVideoReport(input({ video: { ...video, shares: null } }));
    expect(performance).toContain(
      'Engagement rate 8.50% ((likes + comments + shares) ÷ views, counting only likes and comments)',
    );
  });

  it('recommends a slower cadence once growth decays', () => {
    const { performance, recommendations } = generateVideoReport(
      input({ snapshots: [snap(3, 600_000), snap(2, 900_000), snap(1, 980_000), snap(0, 1_000_000)] }),
    );
    expect(performance).toContain('Velocity is falling by 60K views/day per day');
    expect(recommendations.join(' ')).toContain('Growth is slowing (20K views/day');
    expect(recommendations.join(' ')).not.toContain('momentum');
  });

  it('says so when there are no comments to judge sentiment', () => {
    expect(generateVideoReport(input()).sentiment).toBe(
      'No comments sampled, so audience sentiment cannot be assessed.',
    );
    expect(generateVideoReport(input({ video: { ...video, comments: 0 } })).sentiment).toContain(
      'No comments on the video yet',
    );
  });

  it('scores comment tone with the shared lexicon and quotes the most-liked comment', () => {
    const { sentiment, recommendations } = generateVideoReport(
      input({
        comments: [
          { text: 'I love this, genius 😂', likes: 900 },
          { text: 'amazing', likes: 50 },
          { text: 'how did you do that?', likes: 30 },
          { text: 'where is the belt from?', likes: 20 },
        ],
      }),
    );
    expect(sentiment).toMatch(/^Positive across 4 sampled comments of 5K: 50% positive, 0% negative, 50% neutral/);
    expect(sentiment).toContain('95% of comment likes go to positive comments.');
    expect(sentiment).toContain('50% ask a question.');
    expect(sentiment).toContain('Most-liked comment (900 likes, positive): "I love this, genius 😂".');
    expect(recommendations.join(' ')).toContain('50% of sampled comments ask a question');
  });

  it('flags a critical audience', () => {
    const { sentiment, recommendations } = generateVideoReport(
      input({
        comments: [
          { text: 'this is fake and boring', likes: 3 },
          { text: 'worst video', likes: 1 },
        ],
      }),
    );
    expect(sentiment).toMatch(/^Overwhelmingly negative across 2 sampled comments/);
    expect(recommendations.join(' ')).toContain('100% of sampled comments are negative');
  });

  it('is deterministic: the same input gives the same report', () => {
    const i = input({ comments: [{ text: 'nice', likes: 1 }], creatorMedianViews: 10_000 });
    expect(generateVideoReport(i)).toEqual(generateVideoReport(structuredClone(i)));
  });
});

describe('heuristicVideoReportGenerator', () => {
  it('is named like the creator analyst and resolves to the same report', async () => {
    expect(VIDEO_HEURISTIC_MODEL_NAME).toBe('heuristic-analyst-v1');
    expect(heuristicVideoReportGenerator.name).toBe(HEURISTIC_MODEL_NAME);
    await expect(heuristicVideoReportGenerator.generate(input())).resolves.toEqual({
      analysis: generateVideoReport(input()),
      modelUsed: HEURISTIC_MODEL_NAME,
      tokens: null,
    });
  });
});
