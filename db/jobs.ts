import type { Pool } from 'pg';
import { streamRows } from './cursor';
import type { Queryable } from './transaction';
import { MissingRowError } from './missing-row';
import type { AudienceDataSource, AudienceSnapshotData, CityShare, CountryShare } from '../domain/audience';
import { COLLECTION_COSTS, COLLECTION_MAX_VIDEOS, type CollectionDepth } from '../domain/costs';

export type PaidJobKind = 'post_collection' | 'audience_refresh';

export interface PaidJobRow {
  id: string;
  kind: PaidJobKind;
  team_id: string;
  tracking_account_id: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  depth: 'standard' | 'deep' | 'full' | null;
  max_videos: number | null;
  videos_collected: number;
  credits_reserved: number;
  credits_used: number | null;
  error: string | null;
  error_message: string | null;
  snapshot_id: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface AudienceSnapshotRow {
  id: string;
  job_id: string;
  team_id: string;
  tracking_account_id: string;
  snapshot_at: Date;
  sample_size: number;
  age_distribution: Record<string, number> | null;
  gender_distribution: Record<string, number> | null;
  language_distribution: Record<string, number> | null;
  country_distribution: CountryShare[] | null;
  city_distribution: CityShare[] | null;
  confidence_per_signal: AudienceSnapshotData['confidence_per_signal'];
  confidence_level: 'high' | 'medium' | 'low';
  data_source: AudienceDataSource;
  signal_breakdown: { comments: number; followers: number };
  evidence_summary: string;
  model_version: string;
}

/**
 * Records a post collection accepted but not yet reserved (`pending`), priced by its depth; a row already there (a
 * retried registration) is left as it is.
 */
export async function createPendingCollection(
  db: Queryable,
  job: { id: string; teamId: string; creatorId: string; depth: CollectionDepth },
): Promise<void> {
  await db.query(
    `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved)
     VALUES ($1, 'post_collection', $2, $3, 'pending', $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [job.id, job.teamId, job.creatorId, job.depth, COLLECTION_MAX_VIDEOS[job.depth], COLLECTION_COSTS[job.depth]],
  );
}

/** A paid job as the saga records it: what it is, for whom, and what it reserves. */
export interface NewPaidJob {
  id: string;
  kind: PaidJobKind;
  teamId: string;
  creatorId: string;
  depth: string | null;
  maxVideos: number | null;
  creditsReserved: number;
}

/** A job row's first seven columns: id, kind, team, creator, depth, max videos, credits reserved. */
const jobValues = (job: NewPaidJob) => [
  job.id,
  job.kind,
  job.teamId,
  job.creatorId,
  job.depth,
  job.maxVideos,
  job.creditsReserved,
];

/**
 * Marks the job processing (inserting it when no pending row was recorded); a job already processing or ended keeps
 * its row. A second live job of the kind for the creator violates the one-live-job unique index.
 */
export async function startJob(db: Queryable, job: NewPaidJob): Promise<void> {
  await db.query(
    `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved,
                            started_at)
     VALUES ($1, $2, $3, $4, 'processing', $5, $6, $7, now())
     ON CONFLICT (id) DO UPDATE SET status = 'processing', started_at = COALESCE(paid_jobs.started_at, now())
      WHERE paid_jobs.status = 'pending'`,
    jobValues(job),
  );
}

/**
 * Records the job as refused (failed, nothing charged), inserting it if need be; an ended job keeps its outcome.
 * Returns the row when this call ended the job, nothing when it had ended already.
 */
export async function refuseJob(
  db: Queryable,
  job: NewPaidJob,
  refusal: { error: string; message: string },
): Promise<PaidJobRow | undefined> {
  const result = await db.query<PaidJobRow>(
    `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved,
                            credits_used, error, error_message, started_at, completed_at)
     VALUES ($1, $2, $3, $4, 'failed', $5, $6, $7, 0, $8, $9, now(), now())
     ON CONFLICT (id) DO UPDATE SET status = 'failed', credits_used = 0, error = $8, error_message = $9,
       completed_at = now() WHERE paid_jobs.status IN ('pending', 'processing')
     RETURNING *`,
    [...jobValues(job), refusal.error, refusal.message],
  );
  return result.rows[0];
}

/** The job's recorded failure, when it has ended failed (a missing or live job has none). */
export async function jobFailure(db: Queryable, id: string): Promise<{ error: string; message: string } | undefined> {
  const result = await db.query<{ status: string; error: string; error_message: string }>(
    'SELECT status, error, error_message FROM paid_jobs WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row?.status === 'failed' ? { error: row.error, message: row.error_message } : undefined;
}

/**
 * Ends a live job: completed or failed, with the credits it used. A job already ended keeps its first outcome, so a
 * retried or late step cannot rewrite it. Returns the ended row when this call ended the job, nothing otherwise.
 */
export async function finishJob(
  db: Queryable,
  id: string,
  fields: { status: 'completed' | 'failed'; creditsUsed: number; error?: string; message?: string },
): Promise<PaidJobRow | undefined> {
  const result = await db.query<PaidJobRow>(
    `UPDATE paid_jobs SET status = $2, credits_used = $3, error = $4, error_message = $5, completed_at = now()
      WHERE id = $1 AND status IN ('pending', 'processing') RETURNING *`,
    [id, fields.status, fields.creditsUsed, fields.error ?? null, fields.message ?? null],
  );
  return result.rows[0];
}

/** Raises a collection's count of videos collected (never lowers it: a page recorded twice counts once). */
export async function recordCollectionProgress(db: Queryable, id: string, videosCollected: number): Promise<void> {
  await db.query('UPDATE paid_jobs SET videos_collected = GREATEST(videos_collected, $2) WHERE id = $1', [
    id,
    videosCollected,
  ]);
}

/** Links an audience refresh to the snapshot it produced. */
export async function attachSnapshot(db: Queryable, id: string, snapshotId: string): Promise<void> {
  await db.query('UPDATE paid_jobs SET snapshot_id = $2 WHERE id = $1', [id, snapshotId]);
}

export async function jobById(db: Queryable, id: string): Promise<PaidJobRow> {
  const result = await db.query<PaidJobRow>('SELECT * FROM paid_jobs WHERE id = $1', [id]);
  if (!result.rows[0]) throw new MissingRowError(`paid job ${id}`);
  return result.rows[0];
}

/** A creator's job of one kind by id; another creator's (or team's) job is not found. */
export async function findJob(
  db: Queryable,
  creatorId: string,
  kind: PaidJobKind,
  id: string,
): Promise<PaidJobRow | undefined> {
  const result = await db.query<PaidJobRow>(
    'SELECT * FROM paid_jobs WHERE id = $1 AND tracking_account_id = $2 AND kind = $3',
    [id, creatorId, kind],
  );
  return result.rows[0];
}

export async function activeJobs(db: Queryable, creatorId: string, kind: PaidJobKind): Promise<PaidJobRow[]> {
  const result = await db.query<PaidJobRow>(
    `SELECT * FROM paid_jobs WHERE tracking_account_id = $1 AND kind = $2 AND status IN ('pending', 'processing')`,
    [creatorId, kind],
  );
  return result.rows;
}

/** The creator's newest snapshot no older than `freshnessDays` (0 accepts none). */
export async function freshAudienceSnapshot(
  db: Queryable,
  creatorId: string,
  freshnessDays: number,
): Promise<AudienceSnapshotRow | undefined> {
  if (freshnessDays <= 0) return undefined;
  const result = await db.query<AudienceSnapshotRow>(
    `SELECT * FROM audience_snapshots
      WHERE tracking_account_id = $1 AND snapshot_at > now() - make_interval(days => $2)
      ORDER BY snapshot_at DESC LIMIT 1`,
    [creatorId, freshnessDays],
  );
  return result.rows[0];
}

/** A page of the creator's audience snapshots, newest first, with how many there are. */
export async function listAudienceSnapshots(
  db: Queryable,
  creatorId: string,
  page: { page: number; limit: number },
): Promise<{ rows: AudienceSnapshotRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.query<AudienceSnapshotRow>(
      `SELECT * FROM audience_snapshots WHERE tracking_account_id = $1
        ORDER BY snapshot_at DESC, id LIMIT $2 OFFSET $3`,
      [creatorId, page.limit, (page.page - 1) * page.limit],
    ),
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM audience_snapshots WHERE tracking_account_id = $1', [
      creatorId,
    ]),
  ]);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** Every audience snapshot of the creator, newest first, streamed (a download). */
export const streamAudienceSnapshots = (pool: Pool, creatorId: string): AsyncGenerator<AudienceSnapshotRow> =>
  streamRows<AudienceSnapshotRow>(
    pool,
    'SELECT * FROM audience_snapshots WHERE tracking_account_id = $1 ORDER BY snapshot_at DESC, id',
    [creatorId],
  );

export interface NewAudienceSnapshot {
  id: string;
  jobId: string;
  teamId: string;
  creatorId: string;
  snapshotAt: string;
  snapshot: AudienceSnapshotData;
}

/** Stores the job's snapshot, once: a retry returns the row the job already has. */
export async function storeAudienceSnapshot(db: Queryable, input: NewAudienceSnapshot): Promise<AudienceSnapshotRow> {
  const s = input.snapshot;
  const stored = await db.query<AudienceSnapshotRow>(
    `INSERT INTO audience_snapshots (id, job_id, team_id, tracking_account_id, snapshot_at, sample_size,
       age_distribution, gender_distribution, language_distribution, country_distribution, city_distribution,
       confidence_per_signal, confidence_level, data_source, signal_breakdown, evidence_summary, model_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (job_id) DO UPDATE SET job_id = EXCLUDED.job_id RETURNING *`,
    [
      input.id,
      input.jobId,
      input.teamId,
      input.creatorId,
      input.snapshotAt,
      s.sample_size,
      JSON.stringify(s.age_distribution),
      JSON.stringify(s.gender_distribution),
      JSON.stringify(s.language_distribution),
      JSON.stringify(s.country_distribution),
      JSON.stringify(s.city_distribution),
      JSON.stringify(s.confidence_per_signal),
      s.confidence_level,
      s.data_source,
      JSON.stringify(s.signal_breakdown),
      s.evidence_summary,
      s.model_version,
    ],
  );
  return stored.rows[0] as AudienceSnapshotRow;
}

export async function audienceSnapshotById(db: Queryable, id: string): Promise<AudienceSnapshotRow | undefined> {
  const result = await db.query<AudienceSnapshotRow>('SELECT * FROM audience_snapshots WHERE id = $1', [id]);
  return result.rows[0];
}
