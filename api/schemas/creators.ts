import { z } from 'zod';
import { creatorPath, type CreatorRow, type SnapshotRow } from '../../db/creators';
import type { LifecycleColumns, StoredReport } from '../../db/tracked';
import { SCRAPE_CADENCES, type ScrapeCadence } from '../../domain/cadence';
import { COLLECTION_DEPTHS } from '../../domain/costs';
import type { CreatorAnalysis } from '../../domain/creator-report';
import { PLATFORMS } from '../../domain/platform';
import { creatorAnalysisSchema } from '../../domain/report-schemas';
import type { TrackingView } from '../../workflows/messages';
import {
  cycleRecord,
  cycleRecordShape,
  enrichmentStatusSchema,
  pauseNoteSchema,
  pauseReasonSchema,
  stopReasonSchema,
  trackingJobs,
  trackingJobsShape,
  trackingStatusSchema,
} from './tracking';

/** The answers about tracked creators, each mapper typed by its schema so the two cannot drift apart. */

const timestamp = z.iso.datetime();
/** a count as the platform reports it; null where the platform does not expose it */
const metric = z.number().int().nullable();
const delta = z.number().int().nullable().describe('change since the previous snapshot; null on the first');

const growth = {
  growth_rate: z
    .number()
    .nullable()
    .describe('follower growth over the trailing 7 days, in percent (1.5 = +1.5 %); null with too few snapshots'),
  followers_gained: z.number().int().nullable().describe('followers gained over the trailing 7 days (may be negative)'),
};

export const creatorListItemSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    platform_handle: z.string(),
    display_name: z.string().nullable(),
    status: trackingStatusSchema,
    scrape_cadence: z.enum(SCRAPE_CADENCES),
    latest_followers: metric,
    latest_total_likes: metric,
    latest_total_videos: metric,
    ...growth,
    enrichment_status: enrichmentStatusSchema,
    last_scraped_at: timestamp.nullable(),
    next_scrape_at: timestamp.nullable().describe('null while paused or stopped'),
    created_at: timestamp,
  })
  .meta({ id: 'CreatorListItem' });

export const creatorDetailSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    platform_handle: z.string(),
    display_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    profile_url: z.string().nullable(),
    bio: z.string().nullable(),
    is_verified: z.boolean().nullable(),
    status: trackingStatusSchema,
    pause_reason: pauseReasonSchema.nullable(),
    pause_note: pauseNoteSchema,
    stop_reason: stopReasonSchema,
    scrape_cadence: z.enum(SCRAPE_CADENCES),
    enrichment_status: enrichmentStatusSchema,
    latest_followers: metric,
    latest_following: metric,
    latest_total_videos: metric,
    latest_total_likes: metric,
    latest_total_views: metric.describe(
      'YouTube: the profile count; TikTok and Instagram: summed over collected posts',
    ),
    latest_subscribers: metric.describe('YouTube only'),
    ...growth,
    ...cycleRecordShape,
    category: z.string().nullable(),
    content_tags: z.array(z.string()),
    profile_metadata: z
      .object({
        country: z.string().nullable().describe('declared country, ISO-3166 alpha-2'),
        language: z.string().nullable().describe('declared language, ISO-639-1'),
        external_links: z.array(z.string()),
      })
      .nullable()
      .describe('null until the first profile read'),
    created_at: timestamp,
    updated_at: timestamp,
    ...trackingJobsShape,
  })
  .meta({ id: 'CreatorDetail' });

export const creatorSnapshotSchema = z
  .object({
    id: z.uuid(),
    tracking_account_id: z.uuid(),
    followers: metric,
    following: metric,
    total_videos: metric,
    total_views: metric.describe('YouTube: the profile count; TikTok and Instagram: summed over collected posts'),
    total_likes: metric,
    collected_post_count: metric.describe('how many posts `total_views` was summed over (TikTok, Instagram)'),
    subscribers: metric.describe('YouTube only'),
    snapshot_at: timestamp,
    delta_followers: delta,
    delta_following: delta,
    delta_total_videos: delta,
    delta_total_views: delta,
    delta_total_likes: delta,
  })
  .meta({ id: 'CreatorSnapshot' });

/** `POST /v1/tracking/creators`: the creator accepted (202) or already tracked (200). */
export const creatorTrackingAcceptedSchema = z
  .object({
    id: z.uuid(),
    status: trackingStatusSchema,
    message: z.string(),
    collection: z
      .object({
        collection_id: z.uuid(),
        status: z.literal('processing'),
        depth: z.enum(COLLECTION_DEPTHS),
        max_videos: z.number().int(),
        credits_reserved: z.number().int().describe('credits, in cents'),
        poll_url: z.string(),
      })
      .optional()
      .describe('only when `collection_depth` was sent: the collection that runs after the initial cycle'),
    ...trackingJobsShape,
  })
  .meta({ id: 'CreatorTrackingAccepted' });

/** `PATCH /v1/tracking/creators/{id}`: the tracking state the workflow reports after the change. */
export const creatorTrackingStateSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    platform_handle: z.string(),
    status: trackingStatusSchema,
    pause_reason: pauseReasonSchema.nullable(),
    scrape_cadence: z.enum(SCRAPE_CADENCES),
    next_scrape_at: timestamp.nullable(),
  })
  .meta({ id: 'CreatorTrackingState' });

export const creatorReportSchema = z
  .object({
    account: z.object({
      id: z.uuid(),
      platform: z.enum(PLATFORMS),
      platform_handle: z.string(),
      display_name: z.string().nullable(),
      latest_followers: metric,
    }),
    report: z
      .object({
        id: z.uuid(),
        tracking_account_id: z.uuid(),
        analysis: creatorAnalysisSchema.meta({ id: 'CreatorAnalysis' }),
        model_used: z.string(),
        created_at: timestamp,
      })
      .nullable()
      .describe('null until the first cycle completes'),
    enrichment_status: enrichmentStatusSchema,
    ...trackingJobsShape,
  })
  .meta({ id: 'CreatorReport' });

export const creatorJobs = (row: CreatorRow) => trackingJobs(row, creatorPath(row.id));

/** `GET /v1/tracking/creators/{id}`, also the `creator` of a `tracking.cycle.completed` event. */
export function creatorDetail(row: CreatorRow): z.output<typeof creatorDetailSchema> {
  return {
    id: row.id,
    platform: row.platform,
    platform_handle: row.platform_handle,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    profile_url: row.profile_url,
    bio: row.bio,
    is_verified: row.is_verified,
    status: row.status,
    pause_reason: row.pause_reason,
    pause_note: row.pause_note,
    stop_reason: row.stop_reason,
    scrape_cadence: row.scrape_cadence,
    enrichment_status: row.enrichment_status,
    latest_followers: row.latest_followers,
    latest_following: row.latest_following,
    latest_total_videos: row.latest_total_videos,
    latest_total_likes: row.latest_total_likes,
    latest_total_views: row.latest_total_views,
    latest_subscribers: row.latest_subscribers,
    growth_rate: row.growth_rate,
    followers_gained: row.followers_gained,
    ...cycleRecord(row),
    category: row.category,
    content_tags: row.content_tags,
    profile_metadata: row.profile_metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...creatorJobs(row),
  };
}

/**
 * An item of `GET /v1/tracking/creators/{id}/snapshots` (a `SnapshotItemRow`, its time already text), also the
 * `snapshot` of a `tracking.cycle.completed` event (a stored `SnapshotRow`).
 */
export function snapshotItem(row: SnapshotRow): z.output<typeof creatorSnapshotSchema> {
  return {
    id: row.id,
    tracking_account_id: row.tracking_account_id,
    followers: row.followers,
    following: row.following,
    total_videos: row.total_videos,
    total_views: row.total_views,
    total_likes: row.total_likes,
    collected_post_count: row.collected_post_count,
    subscribers: row.subscribers,
    snapshot_at: row.snapshot_at.toISOString(),
    delta_followers: row.delta_followers,
    delta_following: row.delta_following,
    delta_total_videos: row.delta_total_videos,
    delta_total_views: row.delta_total_views,
    delta_total_likes: row.delta_total_likes,
  };
}

/** `POST /v1/tracking/creators`: the lifecycle of the creator accepted, with the collection started alongside. */
export function creatorAccepted(
  row: LifecycleColumns,
  message: string,
  extra: Pick<z.output<typeof creatorTrackingAcceptedSchema>, 'collection'> = {},
): z.output<typeof creatorTrackingAcceptedSchema> {
  return { id: row.id, status: row.status, message, ...extra, ...trackingJobs(row, creatorPath(row.id)) };
}

/**
 * `PATCH /v1/tracking/creators/{id}`. The workflow's view types the cadence as any tracking cadence (videos may be
 * `adaptive`); a creator's is always one of SCRAPE_CADENCES, as its create and patch bodies accept no other.
 */
export function creatorTrackingState(row: CreatorRow, view: TrackingView): z.output<typeof creatorTrackingStateSchema> {
  return {
    id: row.id,
    platform: row.platform,
    platform_handle: row.platform_handle,
    status: view.status,
    pause_reason: view.pauseReason,
    scrape_cadence: view.cadence as ScrapeCadence,
    next_scrape_at: view.nextScrapeAt,
  };
}

/**
 * `GET /v1/tracking/creators/{id}/report`. The stored analysis is jsonb (`unknown` to the row type): the heuristic
 * generator's output, or a model's answer checked against `creatorAnalysisSchema` before it was stored.
 */
export function creatorReport(row: CreatorRow, report: StoredReport | undefined): z.output<typeof creatorReportSchema> {
  return {
    account: {
      id: row.id,
      platform: row.platform,
      platform_handle: row.platform_handle,
      display_name: row.display_name,
      latest_followers: row.latest_followers,
    },
    report: report
      ? {
          id: report.id,
          tracking_account_id: row.id,
          analysis: report.analysis as CreatorAnalysis,
          model_used: report.model_used,
          created_at: report.created_at.toISOString(),
        }
      : null,
    enrichment_status: row.enrichment_status,
    ...creatorJobs(row),
  };
}

// ---- examples, shown in the OpenAPI document ----

export const EXAMPLE_CREATOR_ID = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d';

export const creatorListItemExample: z.input<typeof creatorListItemSchema> = {
  id: EXAMPLE_CREATOR_ID,
  platform: 'tiktok',
  platform_handle: 'khaby.lame',
  display_name: 'Khabane lame',
  status: 'active',
  scrape_cadence: 'daily',
  latest_followers: 162_400_000,
  latest_total_likes: 2_480_000_000,
  latest_total_videos: 1_287,
  growth_rate: 0.12,
  followers_gained: 194_000,
  enrichment_status: 'ready',
  last_scraped_at: '2026-11-30T06:00:04.512Z',
  next_scrape_at: '2026-12-01T06:00:00.000Z',
  created_at: '2026-11-02T09:14:27.031Z',
};

export const creatorDetailExample: z.input<typeof creatorDetailSchema> = {
  id: EXAMPLE_CREATOR_ID,
  platform: 'tiktok',
  platform_handle: 'khaby.lame',
  display_name: 'Khabane lame',
  avatar_url: 'https://p16-sign.tiktokcdn.com/avatar/khaby.lame.jpeg',
  profile_url: 'https://www.tiktok.com/@khaby.lame',
  bio: 'If u wanna laugh u r in the right place',
  is_verified: true,
  status: 'active',
  pause_reason: null,
  pause_note: null,
  stop_reason: null,
  scrape_cadence: 'daily',
  enrichment_status: 'ready',
  latest_followers: 162_400_000,
  latest_following: 82,
  latest_total_videos: 1_287,
  latest_total_likes: 2_480_000_000,
  latest_total_views: 1_930_000_000,
  latest_subscribers: null,
  growth_rate: 0.12,
  followers_gained: 194_000,
  cycles_completed: 28,
  cycles_failed: 1,
  consecutive_failures: 0,
  last_failure: null,
  last_scraped_at: '2026-11-30T06:00:04.512Z',
  next_scrape_at: '2026-12-01T06:00:00.000Z',
  category: 'Comedy',
  content_tags: ['comedy', 'lifehack', 'reaction'],
  profile_metadata: { country: 'IT', language: 'it', external_links: ['https://www.instagram.com/khaby00'] },
  created_at: '2026-11-02T09:14:27.031Z',
  updated_at: '2026-11-30T06:00:04.512Z',
  finalized: true,
  pending_jobs: [],
};

export const creatorSnapshotExample: z.input<typeof creatorSnapshotSchema> = {
  id: '5d2e8f14-7a3b-4c9d-8e1f-2a3b4c5d6e7f',
  tracking_account_id: EXAMPLE_CREATOR_ID,
  followers: 162_400_000,
  following: 82,
  total_videos: 1_287,
  total_views: 1_930_000_000,
  total_likes: 2_480_000_000,
  collected_post_count: 50,
  subscribers: null,
  snapshot_at: '2026-11-30T06:00:04.512Z',
  delta_followers: 27_500,
  delta_following: 0,
  delta_total_videos: 1,
  delta_total_views: 41_200_000,
  delta_total_likes: 3_100_000,
};

export const creatorAnalysisExample: CreatorAnalysis = {
  overview: {
    headline:
      'Khabane lame (@khaby.lame) is a TikTok comedian with 162.4M followers and a median of 18.2M views a post.',
    recent_focus: 'The last 30 days are silent reaction clips; their median of 21.0M views is 15% above earlier posts.',
    content_focus:
      '31 of 50 posts are wordless "life hack" reactions tagged #learnfromkhaby, most 10 to 20 seconds long.',
    growth_insight: 'Followers went from 162.2M on 2026-11-23 to 162.4M on 2026-11-30 (+0.12%), a steady pace.',
  },
  what_works: [
    {
      insight: 'Posts tagged #learnfromkhaby outperform',
      evidence: '31 posts with the tag have a median of 21.0M views against 12.4M for the other 19.',
      evidence_video_ids: ['7441234567890123456', '7439876543210987654'],
    },
  ],
  content_themes: [
    {
      name: '#learnfromkhaby / #lifehack',
      avg_views: 23_400_000,
      description: 'Reactions to over-complicated life hacks; 69% above the creator median.',
      video_count: 31,
    },
  ],
  posting_patterns: {
    frequency: 'About 4.2 posts a week, mostly on Tuesday and Friday; the latest went out 2 days ago.',
    best_formats: ['10-20 s clips: median 21.0M views over 34 posts'],
    optimal_duration: '10 to 20 seconds',
  },
  audience_sentiment: {
    overall_summary: '82% of 400 sampled comments are positive, mostly laughter and praise.',
    sentiment_labels: ['positive', 'amused'],
    notable_comments: [{ likes: 48_200, content: 'the hands at the end 😂', insight: 'The signature gesture lands.' }],
  },
};
