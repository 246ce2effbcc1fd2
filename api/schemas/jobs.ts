import { z } from 'zod';
import { creatorPath } from '../../db/creators';
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

export const collectionSchema = z
  .object({
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
  })
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
    poll_url: z.string(),
    result_path: z.literal('data.snapshot'),
    webhook_event: z.literal('audience.snapshot.completed'),
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
    pending_jobs: z.array(audiencePendingJobSchema),
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
  })
  .meta({ id: 'AudienceRefreshJob' });

const audienceReadOf = <S extends z.ZodType>(snapshot: S) =>
  z.object({
    platform: z.enum(PLATFORMS),
    handle: z.string(),
    snapshot,
    is_stale: z.boolean().describe('older than the default 30-day window (served because `freshness_days` asked)'),
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

/** The answer of an audience read: the snapshot, or `data: null` (with any refresh in flight) when none is fresh. */
export const audienceReadResponseOf = <S extends z.ZodType>(read: S) =>
  z.union([z.object({ data: read }), z.object({ data: z.null(), ...audienceJobsShape })]);

/** `GET .../posts/collect/{collection_id}` */
export function collectionItem(row: PaidJobRow): z.output<typeof collectionSchema> {
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

/** `pending_jobs` (seed 004) of the audience reads: the refresh running for the creator, if any. */
export function audiencePendingJobs(
  creatorId: string,
  running: readonly Pick<PaidJobRow, 'id' | 'status' | 'started_at'>[],
  type: 'audience_demographics' | 'audience_geography',
): z.output<typeof audiencePendingJobSchema>[] {
  return running.map((job) => ({
    type,
    status: publicStatus(job),
    job_id: job.id,
    poll_url: `${creatorPath(creatorId)}/audience-refresh/${job.id}`,
    result_path: 'data.snapshot',
    webhook_event: 'audience.snapshot.completed',
    ...(job.started_at ? { started_at: job.started_at.toISOString() } : {}),
    retry_after_seconds: 3,
  }));
}

/** `GET .../audience-refresh/{job_id}` */
export function audienceJobItem(
  row: PaidJobRow,
  snapshot: AudienceSnapshotRow | undefined,
): z.output<typeof audienceJobSchema> {
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
