import type { Queryable } from './transaction';
import { MissingRowError } from './missing-row';
import { creatorPath } from './creators';

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
  country_distribution: unknown[] | null;
  city_distribution: unknown[] | null;
  confidence_per_signal: Record<string, number>;
  confidence_level: 'high' | 'medium' | 'low';
  data_source: string;
  signal_breakdown: { comments: number; followers: number };
  evidence_summary: string;
  model_version: string;
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

/** The job's status as the API shows it: `pending` (accepted, not yet reserved) reads as `processing`. */
const publicStatus = (row: Pick<PaidJobRow, 'status'>) => (row.status === 'pending' ? 'processing' : row.status);

/** `GET .../posts/collect/:collection_id` */
export function collectionItem(row: PaidJobRow) {
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

export function audienceSnapshotItem(row: AudienceSnapshotRow) {
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

export async function audienceSnapshotById(db: Queryable, id: string): Promise<AudienceSnapshotRow | undefined> {
  const result = await db.query<AudienceSnapshotRow>('SELECT * FROM audience_snapshots WHERE id = $1', [id]);
  return result.rows[0];
}

/** `pending_jobs` (seed 004) of the audience reads: the refresh running for the creator, if any. */
export function audiencePendingJobs(
  creatorId: string,
  running: readonly Pick<PaidJobRow, 'id' | 'status' | 'started_at'>[],
  type: 'audience_demographics' | 'audience_geography',
) {
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

/** `GET .../audience-refresh/:job_id` */
export function audienceJobItem(row: PaidJobRow, snapshot: AudienceSnapshotRow | undefined) {
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
