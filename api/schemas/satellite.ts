import { z } from 'zod';
import type { EventType } from '../../db/events';
import type { SatelliteJobRow, SatelliteRunRow } from '../../db/satellite';
import { PLATFORMS } from '../../domain/platform';
import type { SoundLookupResult, SoundLookupVideo } from '../../domain/sound-lookup';
import {
  SATELLITE_TYPES,
  VIDEO_OUTLIER_COST,
  type SatelliteCreator,
  type SatelliteType,
  type SatelliteVideo,
  type VideoOutlierResult,
} from '../../workflows/satellite';
import { soundLookupInputSchema, soundLookupResultSchema, soundLookupVideoSchema } from './satellite-sounds';

/**
 * Satellite answers: the video outlier job (its start and status), durable runs and their videos, and the
 * `satellite.lookup.completed` event. Field names follow seed 001 (`publishDate` included); a value a platform does not
 * expose is null, never 0.
 */

const timestamp = z.iso.datetime();
const credits = z.number().int().describe('credits, in cents');
const metric = z.number().nullable();

/** The one event every satellite job's end records, completed or failed (`data.status`), with `data.type`. */
export const SATELLITE_END_EVENT = 'satellite.lookup.completed' as const satisfies EventType;

/** The seed's polling loop waits 2 s between reads. */
const RETRY_AFTER_SECONDS = 2;

const STATUS_PATHS: Record<SatelliteType, string> = {
  video_outlier: '/v1/satellite/video-outlier/status',
  sound_lookup: '/v1/satellite/sounds/status',
};

/** A job's status path in this API (its `poll_url`). */
export const satelliteStatusPath = (type: SatelliteType, jobId: string): string => `${STATUS_PATHS[type]}/${jobId}`;
export const satelliteRunPath = (runId: string): string => `/v1/satellite/runs/${runId}`;

// ---- what a video outlier result holds ----

export const satelliteVideoSchema = z
  .object({
    platform_video_id: z.string(),
    url: z.string().describe('the video on the platform (canonical form)'),
    title: z.string().nullable().describe('the title, or the caption where the platform has no titles'),
    views: metric,
    likes: metric,
    comments: metric,
    shares: metric.describe('null where the platform does not expose shares (YouTube, Instagram)'),
    publishDate: timestamp.describe('ISO 8601 publish time'),
    thumbnail_url: z.string().nullable(),
    duration_seconds: metric,
  })
  .meta({ id: 'SatelliteVideo' });

export const satelliteCreatorSchema = z
  .object({
    username: z.string().describe('the creator’s handle (a YouTube channel id when that is what named it)'),
    platform: z.enum(PLATFORMS),
    profile: z.object({
      followers: metric.describe('followers; subscribers on YouTube'),
      following: metric,
      avatar_url: z.string().nullable(),
      url: z.string().describe('the profile on the platform'),
      description: z.string().nullable().describe('the bio'),
      is_verified: z.boolean(),
      total_videos: metric.describe('videos on the account; null on Instagram, whose count includes photos'),
      total_likes: metric.describe('likes across the account: TikTok only'),
      total_views: metric.describe('views across the account: YouTube only'),
      total_posts: metric.describe('posts on the account as the platform counts them'),
    }),
  })
  .meta({ id: 'SatelliteCreator' });

export const outlierAnalysisSchema = z
  .object({
    videos_analyzed: z.number().int().describe('creator videos with a known view count the statistics rest on'),
    median_views: metric,
    avg_views: metric,
    outlier_score: metric.describe('views ÷ median_views; null when either is unknown or the median is 0'),
    percentile: metric.describe('mid-rank percentile of the video among the analyzed videos, 0–100'),
    std_deviation: metric.describe('population standard deviation of the analyzed views'),
    z_score: metric.describe('(views − avg_views) ÷ std_deviation; null when there is no spread'),
    performance_label: z
      .enum(['viral', 'above_average', 'average', 'below_average'])
      .describe('from outlier_score: ≥ 5 viral, ≥ 2 above_average, ≥ 0.5 average, else below_average'),
  })
  .meta({ id: 'OutlierAnalysis' });

export const videoOutlierResultSchema = z
  .object({ video: satelliteVideoSchema, creator: satelliteCreatorSchema, analysis: outlierAnalysisSchema })
  .meta({ id: 'VideoOutlierResult' });

/** The request as the job recorded it: the URL as sent, and the video and creator it resolved to. */
export const videoOutlierInputSchema = z
  .object({
    url: z.string().describe('the URL as sent'),
    platform: z.enum(PLATFORMS),
    platform_video_id: z.string(),
    handle: z.string().describe('the creator the URL named, or the `handle` sent with it'),
  })
  .meta({ id: 'VideoOutlierInput' });

// ---- jobs ----

export const satellitePendingJobSchema = z
  .object({
    type: z.enum(SATELLITE_TYPES),
    status: z.literal('processing'),
    job_id: z.uuid(),
    poll_url: z.string().describe('the job’s status: poll it until `data.finalized`'),
    result_path: z.literal('data.result').describe('where the result is in the answer of `poll_url`'),
    webhook_event: z.literal(SATELLITE_END_EVENT).describe('recorded when the job completes or fails'),
    started_at: timestamp,
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'SatellitePendingJob' });

/** A job's 202: the same shape for every satellite type, named per type in the document. */
const jobStartedSchema = (id: string) =>
  z
    .object({
      job_id: z.uuid(),
      status: z.literal('processing'),
      credits_reserved: credits,
      credit_unit: z.literal('cent'),
      poll_url: z.string(),
      finalized: z.literal(false),
      pending_jobs: z.array(satellitePendingJobSchema).length(1).describe('the job just started'),
    })
    .meta({ id });

/** `POST /v1/satellite/video-outlier` */
export const videoOutlierStartedSchema = jobStartedSchema('VideoOutlierStarted');
/** `GET /v1/satellite/sounds/{platform}/{music_id}` */
export const soundLookupStartedSchema = jobStartedSchema('SoundLookupStarted').extend({
  credits_reserved: credits.describe('the base price, plus the trend surcharge when `trend_analysis=true`'),
});

const jobTimes = {
  created_at: timestamp,
  completed_at: timestamp,
};

/** A job's status poll, `processing` | `completed` (with the type's result) | `failed`, named per type. */
function jobStatusSchemas<R extends z.ZodType>(name: string, result: R) {
  const processing = z
    .object({
      job_id: z.uuid(),
      status: z.literal('processing'),
      created_at: timestamp,
      finalized: z.literal(false),
      pending_jobs: z.array(satellitePendingJobSchema).length(1).describe('the job itself'),
    })
    .meta({ id: `${name}Processing` });
  const completed = z
    .object({
      job_id: z.uuid(),
      status: z.literal('completed'),
      run_id: z.uuid().describe('the durable run: re-read it for free at `GET /v1/satellite/runs/{run_id}`, forever'),
      result,
      credits_used: credits,
      credit_unit: z.literal('cent'),
      ...jobTimes,
      finalized: z.literal(true),
      pending_jobs: z.array(satellitePendingJobSchema).max(0),
    })
    .meta({ id: `${name}Completed` });
  const failed = z
    .object({
      job_id: z.uuid(),
      status: z.literal('failed'),
      error: z
        .string()
        .describe(
          'the failure: a platform outcome (`deleted`, `private`, `blocked`, `empty`, `rate_limited`, `unavailable`, ' +
            '`misconfigured`), `timeout`, `cancelled` or `error`',
        ),
      error_message: z.string(),
      credits_used: credits.describe('0: a failed job is refunded'),
      credit_unit: z.literal('cent'),
      ...jobTimes,
      finalized: z.literal(true),
      pending_jobs: z.array(satellitePendingJobSchema).max(0),
    })
    .meta({ id: `${name}Failed` });
  return z.discriminatedUnion('status', [processing, completed, failed]).meta({ id: `${name}Status` });
}

export const videoOutlierStatusSchema = jobStatusSchemas('VideoOutlier', videoOutlierResultSchema);
export const soundLookupStatusSchema = jobStatusSchemas('SoundLookup', soundLookupResultSchema);

/** `pending_jobs` (seed 004) of a job: the job itself while it runs. */
export function satellitePendingJobs(
  row: Pick<SatelliteJobRow, 'id' | 'type' | 'status' | 'created_at'>,
): z.output<typeof satellitePendingJobSchema>[] {
  if (row.status !== 'processing') return [];
  return [
    {
      type: row.type,
      status: 'processing',
      job_id: row.id,
      poll_url: satelliteStatusPath(row.type, row.id),
      result_path: 'data.result',
      webhook_event: SATELLITE_END_EVENT,
      started_at: row.created_at.toISOString(),
      retry_after_seconds: RETRY_AFTER_SECONDS,
    },
  ];
}

/** A job's status poll: the job, and for a completed one its run's result (`result`, read by the caller). */
export function satelliteJobStatus<R>(
  row: SatelliteJobRow,
  result: R | undefined,
):
  | { job_id: string; status: 'processing'; created_at: string; finalized: false; pending_jobs: SatellitePendingJob[] }
  | (JobEnded & { status: 'failed'; error: string; error_message: string })
  | (JobEnded & { status: 'completed'; run_id: string; result: R }) {
  if (row.status === 'processing') {
    return {
      job_id: row.id,
      status: 'processing',
      created_at: row.created_at.toISOString(),
      finalized: false,
      pending_jobs: satellitePendingJobs(row),
    };
  }
  const ended: JobEnded = {
    job_id: row.id,
    credits_used: row.credits_used ?? 0,
    credit_unit: 'cent',
    created_at: row.created_at.toISOString(),
    completed_at: (row.completed_at ?? row.created_at).toISOString(),
    finalized: true,
    pending_jobs: [],
  };
  if (row.status === 'failed') {
    return {
      ...ended,
      status: 'failed',
      error: row.error ?? 'error',
      error_message: row.error_message ?? 'the job failed',
    };
  }
  if (!row.run_id || result === undefined) throw new Error(`satellite job ${row.id} completed without its run`);
  return { ...ended, status: 'completed', run_id: row.run_id, result };
}

/** `GET /v1/satellite/video-outlier/status/{job_id}` */
export const videoOutlierStatus = (row: SatelliteJobRow, run: Pick<SatelliteRunRow, 'result'> | undefined) =>
  satelliteJobStatus(row, run?.result as unknown as VideoOutlierResult | undefined);

/** A stored sound lookup result with its video list put back (the run keeps the list as video rows). */
export const soundLookupResult = (
  run: Pick<SatelliteRunRow, 'result'>,
  videos: readonly { video: Record<string, unknown> }[],
): SoundLookupResult => ({
  ...(run.result as unknown as Omit<SoundLookupResult, 'videos'>),
  videos: videos.map((v) => v.video as unknown as SoundLookupVideo),
});

type SatellitePendingJob = z.output<typeof satellitePendingJobSchema>;
interface JobEnded {
  job_id: string;
  credits_used: number;
  credit_unit: 'cent';
  created_at: string;
  completed_at: string;
  finalized: true;
  pending_jobs: SatellitePendingJob[];
}

// ---- runs ----

const runFields = {
  run_id: z.uuid(),
  job_id: z.uuid().nullable().describe('the job that made the run'),
  platform: z.enum(PLATFORMS),
  video_count: z.number().int().describe('videos the run rests on: page through them at `.../videos`'),
  created_at: timestamp,
};

export const videoOutlierRunItemSchema = z
  .object({ ...runFields, type: z.literal('video_outlier'), input: videoOutlierInputSchema })
  .meta({ id: 'VideoOutlierRunItem' });

export const soundLookupRunItemSchema = z
  .object({ ...runFields, type: z.literal('sound_lookup'), input: soundLookupInputSchema })
  .meta({ id: 'SoundLookupRunItem' });

/** A run in the list: what it was asked, without its result (read the run for that). */
export const satelliteRunItemSchema = z
  .discriminatedUnion('type', [videoOutlierRunItemSchema, soundLookupRunItemSchema])
  .meta({ id: 'SatelliteRunItem' });

export const videoOutlierRunSchema = z
  .object({
    ...runFields,
    type: z.literal('video_outlier'),
    status: z.literal('completed'),
    input: videoOutlierInputSchema,
    result: videoOutlierResultSchema,
  })
  .meta({ id: 'VideoOutlierRun' });

export const soundLookupRunSchema = z
  .object({
    ...runFields,
    type: z.literal('sound_lookup'),
    status: z.literal('completed'),
    input: soundLookupInputSchema,
    result: soundLookupResultSchema,
  })
  .meta({ id: 'SoundLookupRun' });

/** A run with its result: the completed status poll's envelope, kept for good. */
export const satelliteRunSchema = z
  .discriminatedUnion('type', [videoOutlierRunSchema, soundLookupRunSchema])
  .meta({ id: 'SatelliteRun' });

const position = z.number().int().describe('0-based, in the run’s order');

/** A video of a run: a video outlier run's creator videos (newest first) or a sound lookup's videos (as listed). */
export const satelliteRunVideoSchema = z
  .union([
    satelliteVideoSchema.extend({ position }).meta({ id: 'VideoOutlierRunVideo' }),
    soundLookupVideoSchema.extend({ position }).meta({ id: 'SoundLookupRunVideo' }),
  ])
  .meta({ id: 'SatelliteRunVideo' });

export const offsetPaginationSchema = z
  .object({
    limit: z.number().int().min(1),
    offset: z.number().int().min(0),
    total: z.number().int().min(0),
    has_more: z.boolean().describe('more items after this slice'),
  })
  .meta({ id: 'OffsetPagination' });

const runItemBase = (row: SatelliteRunRow) => ({
  run_id: row.id,
  job_id: row.job_id,
  platform: row.platform,
  video_count: row.video_count,
  created_at: row.created_at.toISOString(),
});

const soundLookupInput = (row: SatelliteRunRow): z.output<typeof soundLookupInputSchema> =>
  row.input as unknown as z.output<typeof soundLookupInputSchema>;

const videoOutlierInput = (row: SatelliteRunRow): z.output<typeof videoOutlierInputSchema> =>
  row.input as unknown as z.output<typeof videoOutlierInputSchema>;

/** `GET /v1/satellite/runs` */
export function satelliteRunItem(row: SatelliteRunRow): z.output<typeof satelliteRunItemSchema> {
  if (row.type === 'sound_lookup') return { ...runItemBase(row), type: 'sound_lookup', input: soundLookupInput(row) };
  return { ...runItemBase(row), type: 'video_outlier', input: videoOutlierInput(row) };
}

/**
 * `GET /v1/satellite/runs/{run_id}`. A sound lookup's result carries its video list, which the run keeps as video rows:
 * the caller reads them (`videos`) for that type.
 */
export function satelliteRun(
  row: SatelliteRunRow,
  videos: readonly { video: Record<string, unknown> }[],
): z.output<typeof satelliteRunSchema> {
  const base = { ...runItemBase(row), status: 'completed' as const };
  if (row.type === 'sound_lookup') {
    return { ...base, type: 'sound_lookup', input: soundLookupInput(row), result: soundLookupResult(row, videos) };
  }
  return {
    ...base,
    type: 'video_outlier',
    input: videoOutlierInput(row),
    result: row.result as unknown as VideoOutlierResult,
  };
}

export const satelliteRunVideo = (item: {
  position: number;
  video: Record<string, unknown>;
}): z.output<typeof satelliteRunVideoSchema> =>
  ({ ...item.video, position: item.position }) as unknown as z.output<typeof satelliteRunVideoSchema>;

// ---- satellite.lookup.completed ----

const eventFields = {
  type: z.enum(SATELLITE_TYPES).describe('which satellite job: `video_outlier` or `sound_lookup`'),
  job_id: z.uuid(),
  platform: z.enum(PLATFORMS),
  url: z.string().describe('the job’s status path in this API (its `poll_url`)'),
  credit_unit: z.literal('cent'),
};

export const satelliteCompletedSchema = z
  .object({
    ...eventFields,
    status: z.literal('completed'),
    run_id: z.uuid(),
    run_url: z.string().describe('the durable run, free to read: `/v1/satellite/runs/{run_id}`'),
    error: z.null(),
    error_message: z.null(),
    credits_used: credits,
  })
  .meta({ id: 'SatelliteLookupSucceededData' });

export const satelliteFailedSchema = z
  .object({
    ...eventFields,
    status: z.literal('failed'),
    run_id: z.null(),
    run_url: z.null(),
    error: z.string().describe('the failure kind, as the status poll shows it'),
    error_message: z.string(),
    credits_used: credits.describe('0: refunded'),
  })
  .meta({ id: 'SatelliteLookupFailedData' });

export const satelliteLookupCompletedSchema = z
  .discriminatedUnion('status', [satelliteCompletedSchema, satelliteFailedSchema])
  .meta({ id: 'SatelliteLookupCompletedData' });

/** `satellite.lookup.completed`, from the job row as it ended. */
export function satelliteLookupEndedData(row: SatelliteJobRow): z.output<typeof satelliteLookupCompletedSchema> {
  const base = {
    type: row.type,
    job_id: row.id,
    platform: row.platform,
    url: satelliteStatusPath(row.type, row.id),
    credit_unit: 'cent' as const,
  };
  if (row.status === 'completed' && row.run_id) {
    return {
      ...base,
      status: 'completed',
      run_id: row.run_id,
      run_url: satelliteRunPath(row.run_id),
      error: null,
      error_message: null,
      credits_used: row.credits_used ?? 0,
    };
  }
  if (row.status !== 'failed') throw new Error(`satellite job ${row.id} has not ended`);
  return {
    ...base,
    status: 'failed',
    run_id: null,
    run_url: null,
    error: row.error ?? 'error',
    error_message: row.error_message ?? 'the job failed',
    credits_used: 0,
  };
}

// ---- examples, shown in the document ----

export const EXAMPLE_SATELLITE_JOB_ID = 'a1b2c3d4-e5f6-4890-abcd-ef1234567890';
export const EXAMPLE_SATELLITE_RUN_ID = '5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a2b';

export const satelliteVideoExample: SatelliteVideo = {
  platform_video_id: '7350123456789012345',
  url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
  title: 'When the life hack is too complicated #learnfromkhaby #lifehack',
  views: 98_400_000,
  likes: 7_200_000,
  comments: 41_300,
  shares: 212_000,
  publishDate: '2026-11-20T18:30:00.000Z',
  thumbnail_url: 'https://p16-sign.tiktokcdn.com/obj/7350123456789012345.jpeg',
  duration_seconds: 14,
};

const creatorExample: SatelliteCreator = {
  username: 'khaby.lame',
  platform: 'tiktok',
  profile: {
    followers: 162_400_000,
    following: 82,
    avatar_url: 'https://p16-sign.tiktokcdn.com/avatar/khaby.lame.jpeg',
    url: 'https://www.tiktok.com/@khaby.lame',
    description: 'If u wanna laugh u r in the right place',
    is_verified: true,
    total_videos: 1_287,
    total_likes: 2_480_000_000,
    total_views: null,
    total_posts: 1_287,
  },
};

export const videoOutlierResultExample: VideoOutlierResult = {
  video: satelliteVideoExample,
  creator: creatorExample,
  analysis: {
    videos_analyzed: 100,
    median_views: 18_200_000,
    avg_views: 24_315_220.5,
    outlier_score: 5.41,
    percentile: 99.5,
    std_deviation: 15_902_311.27,
    z_score: 4.66,
    performance_label: 'viral',
  },
};

export const videoOutlierInputExample: z.output<typeof videoOutlierInputSchema> = {
  url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
  platform: 'tiktok',
  platform_video_id: '7350123456789012345',
  handle: 'khaby.lame',
};

export const satellitePendingJobExample: z.output<typeof satellitePendingJobSchema> = {
  type: 'video_outlier',
  status: 'processing',
  job_id: EXAMPLE_SATELLITE_JOB_ID,
  poll_url: satelliteStatusPath('video_outlier', EXAMPLE_SATELLITE_JOB_ID),
  result_path: 'data.result',
  webhook_event: SATELLITE_END_EVENT,
  started_at: '2026-12-01T12:00:00.412Z',
  retry_after_seconds: RETRY_AFTER_SECONDS,
};

export const satelliteLookupCompletedExample: z.input<typeof satelliteLookupCompletedSchema> = {
  type: 'video_outlier',
  job_id: EXAMPLE_SATELLITE_JOB_ID,
  platform: 'tiktok',
  url: satelliteStatusPath('video_outlier', EXAMPLE_SATELLITE_JOB_ID),
  credit_unit: 'cent',
  status: 'completed',
  run_id: EXAMPLE_SATELLITE_RUN_ID,
  run_url: satelliteRunPath(EXAMPLE_SATELLITE_RUN_ID),
  error: null,
  error_message: null,
  credits_used: VIDEO_OUTLIER_COST,
};
