import { z } from 'zod';
import { creatorPath } from '../../db/creators';
import type { EventType } from '../../db/events';
import type { AudienceSnapshotRow, PaidJobRow } from '../../db/jobs';
import { COLLECTION_DEPTHS } from '../../domain/costs';
import { PLATFORMS } from '../../domain/platform';
import { orNull } from './tracking';

/** Paid jobs on a tracked creator: post collections and audience refreshes, and the audience snapshots they make. */

const timestamp = z.iso.datetime();
const credits = z.number().int().describe('credits, in cents');

/** A job's status as the API shows it: `pending` (accepted, not yet reserved) reads as `processing`. */
export const jobStatusSchema = z.enum(['processing', 'completed', 'failed']);
const publicStatus = (row: Pick<PaidJobRow, 'status'>): z.output<typeof jobStatusSchema> =>
  row.status === 'pending' ? 'processing' : row.status;

/** The events a job's end records, by outcome: one of the two, once, in the transaction that ends the job. */
export const COLLECTION_END_EVENTS = {
  completed: 'posts.collection.completed',
  failed: 'posts.collection.failed',
} as const satisfies Record<'completed' | 'failed', EventType>;
export const AUDIENCE_END_EVENTS = {
  completed: 'audience.snapshot.completed',
  failed: 'audience.snapshot.failed',
} as const satisfies Record<'completed' | 'failed', EventType>;

/** How long a client polling a running job should wait between two reads. */
const RETRY_AFTER_SECONDS = 3;

export const collectionPendingJobSchema = z
  .object({
    type: z.literal('post_collection'),
    status: jobStatusSchema,
    job_id: z.uuid().describe('the collection’s id'),
    poll_url: z.string().describe('the collection: poll it until `data.finalized`'),
    result_path: z.literal('data').describe('where the result is in the answer of `poll_url`'),
    webhook_event: z.literal(COLLECTION_END_EVENTS.completed).describe('recorded when the collection completes'),
    failure_webhook_event: z.literal(COLLECTION_END_EVENTS.failed).describe('recorded when the collection fails'),
    started_at: timestamp.optional(),
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'PostCollectionPendingJob' });

const collectionJobsShape = {
  finalized: z.boolean().describe('true once the collection has ended (completed or failed)'),
  pending_jobs: z.array(collectionPendingJobSchema).describe('the collection itself while it runs'),
};

/** What a collection reports, without `finalized` / `pending_jobs`: also the `data` of its end events. */
export const collectionFields = {
  collection_id: z.uuid(),
  status: jobStatusSchema,
  depth: z.enum(COLLECTION_DEPTHS).nullable(),
  videos_collected: z.number().int(),
  max_videos: z.number().int().nullable(),
  credits_reserved: credits,
  credits_used: credits.nullable().describe('what the collection cost once it ended; null while it runs'),
  error: z.string().nullable().describe('the failure kind when failed'),
  error_message: z.string().nullable(),
  started_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
};

export const collectionSchema = z
  .object({ ...collectionFields, ...collectionJobsShape })
  .meta({ id: 'PostCollection' });

/** `POST .../posts/collect` */
export const collectionStartedSchema = z
  .object({
    collection_id: z.uuid(),
    status: z.literal('processing'),
    depth: z.enum(COLLECTION_DEPTHS),
    max_videos: z.number().int(),
    credits_reserved: credits,
    credit_unit: z.literal('cent'),
    poll_url: z.string(),
    finalized: z.literal(false),
    pending_jobs: z.array(collectionPendingJobSchema).min(1).describe('the collection just started'),
  })
  .meta({ id: 'PostCollectionStarted' });

/** Share per key, largest first; null when no account in the sample shows the signal. */
const shares = z.record(z.string(), z.number());
/** A country or city row; the "Other (N …)" remainder row has no code and no confidence. */
const placeShare = z.object({
  code: z.string().optional().describe('ISO-3166 alpha-2 (of the country, for a city)'),
  name: z.string(),
  pct: z.number(),
  confidence: z.number().optional(),
});

export const audienceSnapshotSchema = z
  .object({
    snapshot_id: z.uuid(),
    snapshot_at: timestamp,
    sample_size: z.number().int().describe('accounts the estimate rests on'),
    age_distribution: shares.nullable().describe('age band (13-17, 18-24, 25-34, 35-44, 45+) → share, largest first'),
    gender_distribution: shares.nullable().describe('female, male, other (declared pronouns) → share, largest first'),
    language_distribution: shares.nullable().describe('ISO-639-1 code → share, largest first'),
    country_distribution: z.array(placeShare).nullable(),
    city_distribution: z.array(placeShare).nullable(),
    confidence_per_signal: z
      .object({ age: z.number(), gender: z.number(), country: z.number(), city: z.number(), language: z.number() })
      .describe('0..1 per signal'),
    confidence_level: z.enum(['high', 'medium', 'low']),
    data_source: z.enum(['comments', 'comments_extended', 'comments_and_followers', 'profile_only']),
    signal_breakdown: z.object({ comments: z.number().int(), followers: z.number().int() }),
    evidence_summary: z.string(),
    model_version: z.string(),
  })
  .meta({ id: 'AudienceSnapshot' });

export const audiencePendingJobSchema = z
  .object({
    type: z.enum(['audience_demographics', 'audience_geography']),
    status: jobStatusSchema,
    job_id: z.uuid(),
    poll_url: z.string().describe('the refresh job: poll it until `data.finalized`'),
    result_path: z
      .literal('data.snapshot')
      .describe('where the snapshot is in the answer of `poll_url` (and of the audience reads) once finalized'),
    webhook_event: z.literal(AUDIENCE_END_EVENTS.completed).describe('recorded when the refresh makes a snapshot'),
    failure_webhook_event: z.literal(AUDIENCE_END_EVENTS.failed).describe('recorded when the refresh fails'),
    started_at: timestamp.optional(),
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'AudiencePendingJob' });

const audienceJobsShape = {
  finalized: z.boolean().describe('true when no audience refresh is running'),
  pending_jobs: z.array(audiencePendingJobSchema),
};

/** `POST .../audience-refresh` answered from a snapshot fresh enough: free, nothing started. */
export const audienceRefreshCachedSchema = z
  .object({
    source: z.literal('cache'),
    snapshot: audienceSnapshotSchema,
    job_id: z.null(),
    status: z.null(),
    credits_used: z.literal(0),
    creator_id: z.uuid(),
    credit_unit: z.literal('cent'),
    finalized: z.literal(true),
    pending_jobs: z.array(audiencePendingJobSchema).max(0),
  })
  .meta({ id: 'AudienceRefreshCached' });

/** `POST .../audience-refresh` that started a refresh, or joined the one running. */
export const audienceRefreshStartedSchema = z
  .object({
    source: z.literal('job'),
    snapshot: z.null(),
    job_id: z.uuid(),
    status: z.literal('processing'),
    joined: z.boolean().describe('true when a refresh was already running: it was joined and nothing charged'),
    credits_used: credits,
    creator_id: z.uuid(),
    credit_unit: z.literal('cent'),
    finalized: z.literal(false),
    pending_jobs: z.array(audiencePendingJobSchema).min(1).describe('the refresh started or joined'),
  })
  .meta({ id: 'AudienceRefreshStarted' });

export const audienceJobSchema = z
  .object({
    job_id: z.uuid(),
    status: jobStatusSchema,
    error: z.string().nullable(),
    error_message: z.string().nullable(),
    snapshot: orNull(audienceSnapshotSchema).describe('the snapshot made, once completed'),
    credits_used: credits.nullable(),
    credit_unit: z.literal('cent'),
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    finalized: z.boolean().describe('true once the refresh has ended (completed or failed)'),
    pending_jobs: z.array(audiencePendingJobSchema).describe('the refresh itself while it runs'),
  })
  .meta({ id: 'AudienceRefreshJob' });

/**
 * An audience read: the same object whether or not a snapshot exists. The result fields (`snapshot`, `is_stale`) are
 * null until a snapshot no older than `freshness_days` exists; `finalized` / `pending_jobs` are always there.
 */
const audienceReadOf = <S extends z.ZodType>(snapshot: S) =>
  z.object({
    platform: z.enum(PLATFORMS),
    handle: z.string(),
    snapshot: orNull(snapshot).describe('the newest snapshot no older than `freshness_days`; null when there is none'),
    is_stale: z
      .boolean()
      .nullable()
      .describe('older than the default 30-day window (served because `freshness_days` asked); null with no snapshot'),
    ...audienceJobsShape,
  });

export const audienceDemographicsSchema = audienceReadOf(
  audienceSnapshotSchema
    .extend({ country_distribution: z.null(), city_distribution: z.null() })
    .meta({ id: 'AudienceDemographicsSnapshot' }),
).meta({ id: 'AudienceDemographics' });

export const audienceGeographySchema = audienceReadOf(
  audienceSnapshotSchema
    .extend({ age_distribution: z.null(), gender_distribution: z.null(), language_distribution: z.null() })
    .meta({ id: 'AudienceGeographySnapshot' }),
).meta({ id: 'AudienceGeography' });

const collectionPath = (row: Pick<PaidJobRow, 'id' | 'tracking_account_id'>): string =>
  `${creatorPath(row.tracking_account_id)}/posts/collect/${row.id}`;

/** `pending_jobs` (seed 004) of a collection: the collection itself while it runs. */
export function collectionPendingJobs(
  row: Pick<PaidJobRow, 'id' | 'tracking_account_id' | 'status' | 'started_at'>,
): z.output<typeof collectionPendingJobSchema>[] {
  if (row.status === 'completed' || row.status === 'failed') return [];
  return [
    {
      type: 'post_collection',
      status: publicStatus(row),
      job_id: row.id,
      poll_url: collectionPath(row),
      result_path: 'data',
      webhook_event: COLLECTION_END_EVENTS.completed,
      failure_webhook_event: COLLECTION_END_EVENTS.failed,
      ...(row.started_at ? { started_at: row.started_at.toISOString() } : {}),
      retry_after_seconds: RETRY_AFTER_SECONDS,
    },
  ];
}

/** A collection's own fields, as its GET and its end events show them. */
export function collectionFieldsOf(row: PaidJobRow): z.output<z.ZodObject<typeof collectionFields>> {
  return {
    collection_id: row.id,
    status: publicStatus(row),
    depth: row.depth,
    videos_collected: row.videos_collected,
    max_videos: row.max_videos,
    credits_reserved: row.credits_reserved,
    credits_used: row.credits_used,
    error: row.error,
    error_message: row.error_message,
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

/** `GET .../posts/collect/{collection_id}` */
export function collectionItem(row: PaidJobRow): z.output<typeof collectionSchema> {
  const pending = collectionPendingJobs(row);
  return { ...collectionFieldsOf(row), finalized: pending.length === 0, pending_jobs: pending };
}

/** Largest share first: jsonb keeps its own key order, not the one the snapshot was written in. */
const byShare = (shares: Record<string, number> | null): Record<string, number> | null =>
  shares === null ? null : Object.fromEntries(Object.entries(shares).sort((a, b) => b[1] - a[1]));

/** An audience snapshot, also the `snapshot` of an `audience.snapshot.completed` event. */
export function audienceSnapshotItem(row: AudienceSnapshotRow): z.output<typeof audienceSnapshotSchema> {
  return {
    snapshot_id: row.id,
    snapshot_at: row.snapshot_at.toISOString(),
    sample_size: row.sample_size,
    age_distribution: byShare(row.age_distribution),
    gender_distribution: byShare(row.gender_distribution),
    language_distribution: byShare(row.language_distribution),
    country_distribution: row.country_distribution,
    city_distribution: row.city_distribution,
    confidence_per_signal: row.confidence_per_signal,
    confidence_level: row.confidence_level,
    data_source: row.data_source,
    signal_breakdown: row.signal_breakdown,
    evidence_summary: row.evidence_summary,
    model_version: row.model_version,
  };
}

export type AudienceSnapshotItem = ReturnType<typeof audienceSnapshotItem>;

/** `pending_jobs` (seed 004) of the audience answers: the refreshes running for the creator (at most one). */
export function audiencePendingJobs(
  creatorId: string,
  running: readonly Pick<PaidJobRow, 'id' | 'status' | 'started_at'>[],
  type: 'audience_demographics' | 'audience_geography',
): z.output<typeof audiencePendingJobSchema>[] {
  return running
    .filter((job) => job.status !== 'completed' && job.status !== 'failed')
    .map((job) => ({
      type,
      status: publicStatus(job),
      job_id: job.id,
      poll_url: `${creatorPath(creatorId)}/audience-refresh/${job.id}`,
      result_path: 'data.snapshot',
      webhook_event: AUDIENCE_END_EVENTS.completed,
      failure_webhook_event: AUDIENCE_END_EVENTS.failed,
      ...(job.started_at ? { started_at: job.started_at.toISOString() } : {}),
      retry_after_seconds: RETRY_AFTER_SECONDS,
    }));
}

/** `GET .../audience-refresh/{job_id}` */
export function audienceJobItem(
  row: PaidJobRow,
  snapshot: AudienceSnapshotRow | undefined,
): z.output<typeof audienceJobSchema> {
  const pending = audiencePendingJobs(row.tracking_account_id, [row], 'audience_demographics');
  return {
    job_id: row.id,
    status: publicStatus(row),
    error: row.error,
    error_message: row.error_message,
    snapshot: snapshot ? audienceSnapshotItem(snapshot) : null,
    credits_used: row.credits_used,
    credit_unit: 'cent',
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
    finalized: pending.length === 0,
    pending_jobs: pending,
  };
}

// ---- examples, shown in the OpenAPI document ----

export const audienceSnapshotExample: z.input<typeof audienceSnapshotSchema> = {
  snapshot_id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  snapshot_at: '2026-11-29T14:02:11.000Z',
  sample_size: 412,
  age_distribution: { '18-24': 0.46, '25-34': 0.31, '13-17': 0.12, '35-44': 0.08, '45+': 0.03 },
  gender_distribution: { female: 0.52, male: 0.45, other: 0.03 },
  language_distribution: { en: 0.58, it: 0.17, es: 0.14, pt: 0.11 },
  country_distribution: [
    { code: 'US', name: 'United States', pct: 0.41, confidence: 0.74 },
    { code: 'IT', name: 'Italy', pct: 0.19, confidence: 0.71 },
    { name: 'Other (14 countries)', pct: 0.4 },
  ],
  city_distribution: [
    { code: 'US', name: 'New York', pct: 0.22, confidence: 0.52 },
    { code: 'IT', name: 'Milan', pct: 0.18, confidence: 0.5 },
    { name: 'Other (23 cities)', pct: 0.6 },
  ],
  confidence_per_signal: { age: 0.38, gender: 0.44, country: 0.72, city: 0.51, language: 0.83 },
  confidence_level: 'medium',
  data_source: 'comments',
  signal_breakdown: { comments: 412, followers: 0 },
  evidence_summary: '412 commenters on 12 posts: 55% declare a location, 31% pronouns, 24% an age cue.',
  model_version: 'heuristic-1',
};
