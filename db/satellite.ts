import type { Platform } from '../domain/platform';
import type { SatelliteType } from '../workflows/satellite';
import type { Queryable } from './transaction';

/**
 * Every statement on `satellite_jobs`, `satellite_runs`, `satellite_run_videos` (db/migrations/0010) and a running
 * job's staged fetch, `satellite_job_videos` (0012).
 */

export interface SatelliteJobRow {
  id: string;
  team_id: string;
  type: SatelliteType;
  platform: Platform;
  input: Record<string, unknown>;
  status: 'processing' | 'completed' | 'failed';
  error: string | null;
  error_message: string | null;
  run_id: string | null;
  credits_reserved: number;
  credits_used: number | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface SatelliteRunRow {
  id: string;
  team_id: string;
  type: SatelliteType;
  platform: Platform;
  input: Record<string, unknown>;
  result: Record<string, unknown>;
  created_at: Date;
  /** the job that made the run */
  job_id: string | null;
  /** rows in satellite_run_videos */
  video_count: number;
}

export interface NewSatelliteJob {
  id: string;
  teamId: string;
  type: SatelliteType;
  platform: Platform;
  input: unknown;
  creditsReserved: number;
}

/** Records a job as processing; a job already recorded (a retried reservation) keeps its row. */
export async function insertSatelliteJob(db: Queryable, job: NewSatelliteJob): Promise<void> {
  await db.query(
    `INSERT INTO satellite_jobs (id, team_id, type, platform, input, status, credits_reserved)
     VALUES ($1, $2, $3, $4, $5, 'processing', $6) ON CONFLICT (id) DO NOTHING`,
    [job.id, job.teamId, job.type, job.platform, JSON.stringify(job.input), job.creditsReserved],
  );
}

export interface NewSatelliteRun {
  id: string;
  teamId: string;
  type: SatelliteType;
  platform: Platform;
  input: unknown;
  result: unknown;
  /** stored in this order, `position` from 0 */
  videos: readonly unknown[];
}

/** Stores a run and its videos once: a retried step finds them there and adds nothing. */
export async function insertSatelliteRun(db: Queryable, run: NewSatelliteRun): Promise<void> {
  await db.query(
    `INSERT INTO satellite_runs (id, team_id, type, platform, input, result) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING`,
    [run.id, run.teamId, run.type, run.platform, JSON.stringify(run.input), JSON.stringify(run.result)],
  );
  if (run.videos.length === 0) return;
  // one statement for the whole list: positions from the array's order
  await db.query(
    `INSERT INTO satellite_run_videos (run_id, position, video)
     SELECT $1, v.ordinality - 1, v.value FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS v
     ON CONFLICT (run_id, position) DO NOTHING`,
    [run.id, JSON.stringify(run.videos)],
  );
}

/**
 * Stages what a job's fetch read, in this order: a retried fetch replaces what an earlier attempt left. One statement
 * whatever the count, so a fetch of 500 videos is one round trip.
 */
export async function stageSatelliteJobVideos(db: Queryable, jobId: string, videos: readonly unknown[]): Promise<void> {
  await db.query('DELETE FROM satellite_job_videos WHERE job_id = $1', [jobId]);
  if (videos.length === 0) return;
  await db.query(
    `INSERT INTO satellite_job_videos (job_id, position, video)
     SELECT $1, v.ordinality - 1, v.value FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS v`,
    [jobId, JSON.stringify(videos)],
  );
}

/** The videos a job's fetch staged, in their order. */
export async function stagedSatelliteJobVideos<T>(db: Queryable, jobId: string): Promise<T[]> {
  const result = await db.query<{ video: T }>(
    'SELECT video FROM satellite_job_videos WHERE job_id = $1 ORDER BY position',
    [jobId],
  );
  return result.rows.map((r) => r.video);
}

/** Stages a sound lookup's trends block until the job completes; a retry overwrites it. */
export async function stageSatelliteTrends(db: Queryable, jobId: string, trends: unknown): Promise<void> {
  await db.query('UPDATE satellite_jobs SET staged_trends = $2 WHERE id = $1', [jobId, JSON.stringify(trends)]);
}

export async function stagedSatelliteTrends<T>(db: Queryable, jobId: string): Promise<T | null> {
  const result = await db.query<{ staged_trends: T | null }>('SELECT staged_trends FROM satellite_jobs WHERE id = $1', [
    jobId,
  ]);
  return result.rows[0]?.staged_trends ?? null;
}

/** Drops a job's staged fetch and trends once the job has ended (they live on in the run, or nowhere). */
export async function clearSatelliteJobStage(db: Queryable, jobId: string): Promise<void> {
  await db.query('DELETE FROM satellite_job_videos WHERE job_id = $1', [jobId]);
  await db.query('UPDATE satellite_jobs SET staged_trends = NULL WHERE id = $1 AND staged_trends IS NOT NULL', [jobId]);
}

/** Locks a job's row for the transaction that ends it and says how it stands; undefined when there is none. */
export async function lockSatelliteJob(db: Queryable, id: string): Promise<SatelliteJobRow['status'] | undefined> {
  const result = await db.query<{ status: SatelliteJobRow['status'] }>(
    'SELECT status FROM satellite_jobs WHERE id = $1 FOR UPDATE',
    [id],
  );
  return result.rows[0]?.status;
}

/**
 * Ends a processing job: completed with its run, or failed with its error. A job already ended keeps its first
 * outcome, so a retried or late step cannot rewrite it. Returns the ended row when this call ended the job.
 */
export async function finishSatelliteJob(
  db: Queryable,
  id: string,
  outcome:
    { status: 'completed'; runId: string; creditsUsed: number } | { status: 'failed'; error: string; message: string },
): Promise<SatelliteJobRow | undefined> {
  const result =
    outcome.status === 'completed'
      ? await db.query<SatelliteJobRow>(
          `UPDATE satellite_jobs SET status = 'completed', run_id = $2, credits_used = $3, completed_at = now()
            WHERE id = $1 AND status = 'processing' RETURNING *`,
          [id, outcome.runId, outcome.creditsUsed],
        )
      : await db.query<SatelliteJobRow>(
          `UPDATE satellite_jobs SET status = 'failed', error = $2, error_message = $3, credits_used = 0,
                  completed_at = now()
            WHERE id = $1 AND status = 'processing' RETURNING *`,
          [id, outcome.error, outcome.message],
        );
  return result.rows[0];
}

/** The team's job of this type; another team's (or another type's) is not found. */
export async function findSatelliteJob(
  db: Queryable,
  teamId: string,
  type: SatelliteType,
  id: string,
): Promise<SatelliteJobRow | undefined> {
  const result = await db.query<SatelliteJobRow>(
    'SELECT * FROM satellite_jobs WHERE id = $1 AND team_id = $2 AND type = $3',
    [id, teamId, type],
  );
  return result.rows[0];
}

const RUN_COLUMNS = `r.id, r.team_id, r.type, r.platform, r.input, r.result, r.created_at,
  (SELECT j.id FROM satellite_jobs j WHERE j.run_id = r.id) AS job_id,
  (SELECT count(*) FROM satellite_run_videos v WHERE v.run_id = r.id)::int AS video_count`;

/** The team's run; another team's is not found. */
export async function findSatelliteRun(
  db: Queryable,
  teamId: string,
  id: string,
): Promise<SatelliteRunRow | undefined> {
  const result = await db.query<SatelliteRunRow>(
    `SELECT ${RUN_COLUMNS} FROM satellite_runs r WHERE r.id = $1 AND r.team_id = $2`,
    [id, teamId],
  );
  return result.rows[0];
}

/** One page of the team's runs, newest first (ties by id, so pages never overlap), and how many match in all. */
export async function listSatelliteRuns(
  db: Queryable,
  teamId: string,
  filters: { type?: SatelliteType; platform?: Platform },
  page: { page: number; limit: number },
): Promise<{ rows: SatelliteRunRow[]; total: number }> {
  const where = 'r.team_id = $1 AND ($2::text IS NULL OR r.type = $2) AND ($3::text IS NULL OR r.platform = $3)';
  const params = [teamId, filters.type ?? null, filters.platform ?? null];
  const [total, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM satellite_runs r WHERE ${where}`, params),
    db.query<SatelliteRunRow>(
      `SELECT ${RUN_COLUMNS} FROM satellite_runs r WHERE ${where}
        ORDER BY r.created_at DESC, r.id DESC LIMIT $4 OFFSET $5`,
      [...params, page.limit, (page.page - 1) * page.limit],
    ),
  ]);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** A slice of a run's videos in stored order, with each one's position. */
export async function listSatelliteRunVideos(
  db: Queryable,
  runId: string,
  slice: { limit: number; offset: number },
): Promise<{ position: number; video: Record<string, unknown> }[]> {
  const result = await db.query<{ position: number; video: Record<string, unknown> }>(
    `SELECT position, video FROM satellite_run_videos WHERE run_id = $1 ORDER BY position LIMIT $2 OFFSET $3`,
    [runId, slice.limit, slice.offset],
  );
  return result.rows;
}
