import { z } from 'zod';
import { SAMPLE_NOTES, SOUND_MAX_VIDEOS, type SoundLookupResult } from '../../domain/sound-lookup';

/**
 * The TikTok sound lookup's result (seed 003): the request echo, the sound, the stats block, the sample quality, the
 * trends block and the video list. A count the platform hides is null, never 0.
 */

const timestamp = z.iso.datetime();
const metric = z.number().nullable();
const day = z.iso.date();

export const soundLookupVideoSchema = z
  .object({
    platform_video_id: z.string(),
    url: z.string(),
    description: z.string().nullable().describe('the caption'),
    views: metric,
    likes: metric,
    comments: metric,
    shares: metric,
    collects: metric.describe('saves ("favorites")'),
    publish_date: timestamp,
    duration_seconds: metric,
    thumbnail_url: z.string().nullable(),
    hashtags: z.array(z.string()).describe('lower-cased, without `#`'),
    author: z.object({
      unique_id: z.string().describe('the creator’s TikTok handle; creators are deduplicated by it'),
      nickname: z.string().nullable(),
      user_id: z.string().nullable(),
      followers: metric,
      is_verified: z.boolean().nullable(),
    }),
    is_commerce_music: z.boolean().nullable().describe('this video uses the sound’s commercially licensed clip'),
  })
  .meta({ id: 'SoundCustomerVideo' });

export const soundMetadataSchema = z
  .object({
    music_id: z.string(),
    title: z.string(),
    author_name: z.string().nullable().describe('the artist, or the uploader of an original sound'),
    owner_unique_id: z.string().nullable().describe('the uploading account of an original sound; null for a track'),
    album: z.string().nullable(),
    duration_seconds: metric,
    is_original: z.boolean().describe('an original sound a creator uploaded, not a licensed track'),
    is_commerce: z.boolean().describe('in TikTok’s commercially licensed library'),
    cover_url: z.string().nullable(),
    play_url: z.string().nullable(),
    url: z.string().describe('the sound’s page on TikTok'),
    reported_usage_count: metric.describe('videos using the sound, as TikTok reports it'),
    created_at: timestamp.nullable(),
  })
  .meta({ id: 'SoundMetadata' });

const summary = z.object({ total: metric, avg: metric, median: metric, max: metric, min: metric });

export const soundStatsSchema = z
  .object({
    videos_analyzed: z.number().int().describe('videos the stats were computed from'),
    views: summary.describe('null when no video shows its views'),
    engagement: z.object({
      total_likes: metric,
      total_comments: metric,
      total_shares: metric,
      total_collects: metric,
      avg_likes: metric,
      avg_comments: metric,
      avg_shares: metric,
      avg_collects: metric,
      engagement_rate: metric.describe('(likes + comments + shares) ÷ views over videos with known views, a fraction'),
    }),
    velocity: z.object({
      videos_per_week: z
        .array(z.object({ week: z.string().describe('ISO week, e.g. 2026-W13'), week_start: day, videos: z.number() }))
        .describe('ISO weeks (UTC) from the earliest video to the capture, empty weeks included'),
      last_4w_avg_videos_per_week: z.number().describe('videos in the 28 days up to the capture ÷ 4'),
      prior_4w_avg_videos_per_week: z.number().describe('videos in the 28 days before those ÷ 4'),
      is_accelerating: z.boolean().describe('last ≥ 1.15 × prior (any videos against none counts)'),
    }),
    verified_creator_count: z.number().int(),
    verified_creator_pct: metric.describe('0–100 of the unique creators'),
    commerce_music_pct: metric.describe('0–100 of the videos using the commercially licensed clip'),
    duration_distribution: z.object({
      under_15s: z.number().int(),
      between_15_30s: z.number().int(),
      between_30_60s: z.number().int().describe('30 to 60 seconds, both included'),
      over_60s: z.number().int(),
    }),
    top_creators: z
      .array(
        z.object({
          unique_id: z.string(),
          nickname: z.string().nullable(),
          is_verified: z.boolean().nullable(),
          video_count: z.number().int(),
          total_views: z.number(),
        }),
      )
      .max(10)
      .describe('by total_views on this sound, deduplicated by unique_id'),
    top_hashtags: z
      .array(z.object({ hashtag: z.string(), video_count: z.number().int(), total_views: z.number() }))
      .max(10)
      .describe('by total_views, lower-cased'),
    top_video: soundLookupVideoSchema.nullable().describe('the most-viewed video; null on an empty corpus'),
  })
  .meta({ id: 'SoundStats' });

export const soundSampleQualitySchema = z
  .object({
    truncated_by_cap: z.boolean().describe('the hard pagination cap (25 pages / 500 videos) stopped the read'),
    pages_fetched: z.number().int(),
    note: z
      .enum(SAMPLE_NOTES)
      .describe('videos fetched: under 20 insufficient_corpus, 20–49 small_corpus_workable, 50–199 healthy, 200+ deep'),
  })
  .meta({ id: 'SoundSampleQuality' });

const timeWindowSchema = z
  .object({
    start_date: day,
    end_date: day,
    video_count: z.number().int(),
    total_views: z.number(),
    total_likes: z.number(),
    total_comments: z.number(),
    total_shares: z.number(),
    avg_views: metric,
    description: z.string(),
  })
  .meta({ id: 'TimeWindow' });

export const soundTrendsSchema = z
  .object({
    analyzed: z.boolean().describe('true iff trend_analysis=true was asked'),
    status: z
      .enum(['ok', 'insufficient_corpus', 'skipped'])
      .describe('`insufficient_corpus`: too few videos, the surcharge was not billed; `skipped`: not asked'),
    summary: z.string(),
    trends: z.array(
      z
        .object({
          name: z.string(),
          description: z.string(),
          tactics: z.array(z.string()),
          confidence: z.number().min(0).max(1),
          video_count: z.number().int(),
          evidence_video_ids: z.array(z.string()).describe('only ids of videos in the sample'),
          time_windows: z
            .array(timeWindowSchema)
            .describe(
              'from the evidence videos’ publish dates; a gap of over 14 days starts a new window; empty when the ' +
                'evidence spans under 14 days',
            ),
          resurged: z.boolean().describe('at least two disjoint time windows'),
          momentum: z
            .enum(['stronger', 'weaker', 'similar'])
            .nullable()
            .describe('latest window’s avg_views against the prior one, ±15 % deadband; null with one window'),
        })
        .meta({ id: 'SoundTrendItem' }),
    ),
    model_used: z
      .string()
      .nullable()
      .describe('the configured model, or the deterministic heuristic analyst (named so); null when no analyst ran'),
    cost_usd: metric.describe('not tracked by this service: null'),
    tokens_used: metric.describe('tokens the model spent; null for the heuristic analyst'),
  })
  .meta({ id: 'SoundTrends' });

export const soundLookupInputSchema = z
  .object({
    music_id: z.string(),
    platform: z.literal('tiktok'),
    trend_analysis: z.boolean(),
    max_videos: z.number().int().min(1).max(SOUND_MAX_VIDEOS).describe('as asked; ignored when trend_analysis'),
  })
  .meta({ id: 'SoundLookupInput' });

export const soundLookupResultSchema = z
  .object({
    request: soundLookupInputSchema,
    sound: soundMetadataSchema,
    data_captured_at: timestamp.describe('when the fetch finished'),
    stats: soundStatsSchema,
    sample_quality: soundSampleQualitySchema,
    trends: soundTrendsSchema,
    videos: z
      .array(soundLookupVideoSchema)
      .describe('up to max_videos; with trend_analysis, a creator-diverse sample of up to 300'),
  })
  .meta({ id: 'SoundLookupResult' }) satisfies z.ZodType<SoundLookupResult>;

// ---- examples, shown in the document ----

export const EXAMPLE_MUSIC_ID = '7570679470014532374';

export const soundLookupVideoExample: z.output<typeof soundLookupVideoSchema> = {
  platform_video_id: '7571234567890123456',
  url: 'https://www.tiktok.com/@mila.rossi/video/7571234567890123456',
  description: 'golden hour in Lisbon #travel #cinematic',
  views: 1_840_000,
  likes: 212_000,
  comments: 1_930,
  shares: 8_410,
  collects: 24_700,
  publish_date: '2026-11-03T17:42:10.000Z',
  duration_seconds: 14,
  thumbnail_url: 'https://p16-sign.tiktokcdn.com/obj/7571234567890123456.jpeg',
  hashtags: ['travel', 'cinematic'],
  author: { unique_id: 'mila.rossi', nickname: 'Mila', user_id: '6891234567', followers: 412_000, is_verified: false },
  is_commerce_music: true,
};

export const soundLookupResultExample: z.output<typeof soundLookupResultSchema> = {
  request: { music_id: EXAMPLE_MUSIC_ID, platform: 'tiktok', trend_analysis: true, max_videos: 50 },
  sound: {
    music_id: EXAMPLE_MUSIC_ID,
    title: 'Golden Hour (Slowed)',
    author_name: 'Nova Lane',
    owner_unique_id: null,
    album: null,
    duration_seconds: 30,
    is_original: false,
    is_commerce: true,
    cover_url: 'https://p16-sign.tiktokcdn.com/music/7570679470014532374.jpeg',
    play_url: null,
    url: `https://www.tiktok.com/music/golden-hour-slowed-${EXAMPLE_MUSIC_ID}`,
    reported_usage_count: 48_200,
    created_at: '2026-10-20T09:00:00.000Z',
  },
  data_captured_at: '2026-12-01T12:00:41.203Z',
  stats: {
    videos_analyzed: 1,
    views: { total: 1_840_000, avg: 1_840_000, median: 1_840_000, max: 1_840_000, min: 1_840_000 },
    engagement: {
      total_likes: 212_000,
      total_comments: 1_930,
      total_shares: 8_410,
      total_collects: 24_700,
      avg_likes: 212_000,
      avg_comments: 1_930,
      avg_shares: 8_410,
      avg_collects: 24_700,
      engagement_rate: 0.1198,
    },
    velocity: {
      videos_per_week: [{ week: '2026-W45', week_start: '2026-11-02', videos: 1 }],
      last_4w_avg_videos_per_week: 0.25,
      prior_4w_avg_videos_per_week: 0,
      is_accelerating: true,
    },
    verified_creator_count: 0,
    verified_creator_pct: 0,
    commerce_music_pct: 100,
    duration_distribution: { under_15s: 1, between_15_30s: 0, between_30_60s: 0, over_60s: 0 },
    top_creators: [
      { unique_id: 'mila.rossi', nickname: 'Mila', is_verified: false, video_count: 1, total_views: 1_840_000 },
    ],
    top_hashtags: [
      { hashtag: 'travel', video_count: 1, total_views: 1_840_000 },
      { hashtag: 'cinematic', video_count: 1, total_views: 1_840_000 },
    ],
    top_video: soundLookupVideoExample,
  },
  sample_quality: { truncated_by_cap: false, pages_fetched: 1, note: 'insufficient_corpus' },
  trends: {
    analyzed: true,
    status: 'insufficient_corpus',
    summary: 'Only 1 video uses this sound: too few to find trends in. The trend surcharge was not billed.',
    trends: [],
    model_used: null,
    cost_usd: null,
    tokens_used: null,
  },
  videos: [soundLookupVideoExample],
};
