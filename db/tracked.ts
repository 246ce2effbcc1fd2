import type { Pool } from 'pg';
import { streamRows } from './cursor';
import type { Queryable } from './transaction';
import { MissingRowError } from './missing-row';
import { prepared } from './prepared';
import type { GeneratedReport } from '../domain/report-text';

/**
 * Queries shared by tracked creators and tracked videos: their read models have the same lifecycle columns. Table
 * and column names come from the fixed specs below, never from input.
 */
export interface TrackedTableSpec {
  table: 'tracked_creators' | 'tracked_videos';
  snapshots: 'creator_snapshots' | 'video_snapshots';
  reports: 'creator_reports' | 'video_reports';
  /** the snapshots' and reports' column naming the tracked row */
  foreignKey: 'tracking_account_id' | 'tracking_video_id';
  /** columns `search` matches, case-insensitively and partially */
  searchColumns: readonly string[];
  /** the snapshot column the trailing growth summary is measured on */
  growthMetric: 'followers' | 'views';
  /**
   * the select list of a list item, as the API shows it: its columns are the item's fields, in order (Postgres writes
   * the JSON, `jsonArrayOf`), timestamps already ISO 8601 (`isoColumn`)
   */
  listColumns: string;
  /** the select list of a snapshot of `GET .../snapshots` (the trajectory reads them too), written the same way */
  snapshotColumns: string;
  /** every column of the row type (`everyColumn`): the select list of the prepared read by id */
  rowColumns: string;
}

/** The columns both tracked tables have: the lifecycle, schedule and failure record (`everyColumn` adds each table's own). */
export const TRACKED_ROW_COLUMNS = [
  'id',
  'team_id',
  'platform',
  'status',
  'pause_reason',
  'pause_note',
  'stop_reason',
  'scrape_cadence',
  'enrichment_status',
  'growth_rate',
  'cycles_completed',
  'cycles_failed',
  'consecutive_failures',
  'cycle_in_progress',
  'cycle_started_at',
  'last_failure',
  'last_scraped_at',
  'next_scrape_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/**
 * The select list naming every key of the row type `R`, for a prepared statement (which must not say `SELECT *`, see
 * db/prepared.ts); the compiler refuses a list that misses a key or names one the type does not have.
 */
export const everyColumn =
  <R>() =>
  <const K extends readonly (keyof R & string)[]>(
    ...columns: K & ([Exclude<keyof R, K[number]>] extends [never] ? unknown : never)
  ): string =>
    columns.join(', ');

/**
 * A timestamptz column as the text `Date.prototype.toISOString` makes of it (UTC, milliseconds truncated), formatted
 * by Postgres: a list row then needs no date parsing and no formatting in Node. Identical for the years 1000-9999.
 */
export const isoColumn = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

export interface LifecycleColumns {
  id: string;
  status: 'active' | 'paused' | 'stopped';
  enrichment_status: 'pending' | 'ready' | 'failed';
  cycle_in_progress: number | null;
  cycle_started_at: Date | null;
}

/**
 * A team's tracked row by id, stopped ones included (their history stays readable); another team's is not found. A
 * prepared statement: every authenticated route of a creator or video starts with it.
 */
export async function findTracked<R>(db: Queryable, spec: TrackedTableSpec, teamId: string, id: string) {
  const result = await db.query(
    prepared(`SELECT ${spec.rowColumns} FROM ${spec.table} WHERE id = $1 AND team_id = $2`, [id, teamId]),
  );
  return result.rows[0] as R | undefined;
}

export async function trackedById<R>(db: Queryable, spec: TrackedTableSpec, id: string): Promise<R> {
  const result = await db.query(`SELECT * FROM ${spec.table} WHERE id = $1`, [id]);
  if (!result.rows[0]) throw new MissingRowError(`${spec.table} row ${id}`);
  return result.rows[0] as R;
}

/**
 * The conditions of a row's snapshots in a window, the row's id being `$1` of `params` (the parameter itself, not a
 * joined column, so Postgres plans the read for that row's history); the bounds are appended to `params`.
 */
function snapshotsOf(spec: TrackedTableSpec, params: unknown[], opts: { start?: Date; end?: Date }): string[] {
  const where = [`${spec.foreignKey} = $1`];
  if (opts.start) {
    params.push(opts.start);
    where.push(`snapshot_at >= $${params.length}`);
  }
  if (opts.end) {
    params.push(opts.end);
    where.push(`snapshot_at <= $${params.length}`);
  }
  return where;
}

/**
 * Rows as one JSON array text, assembled by Postgres: `rows` (a subquery of whole rows, already limited) becomes an
 * array of objects of `columns` (a select list over those rows: its names and order are the objects'), without
 * whitespace (`row_to_json`, the text `JSON.stringify` makes of the same objects), ordered by `order`. The objects are
 * written after the limit, for the rows answered only. Node then sends the text as it is: no row parsing, no mapping,
 * no `JSON.stringify`.
 */
const jsonArrayOf = (columns: string, rows: string, order: string): string =>
  `SELECT '[' || COALESCE(string_agg((SELECT row_to_json(item) FROM (SELECT ${columns}) item)::text, ','
     ORDER BY ${order}), '') || ']' FROM (${rows}) page`;

/**
 * A page of the team's live rows, newest first, as a JSON array text (`jsonArrayOf`), with the total: one prepared
 * statement, the total read from `tracked_live_counts` (kept by triggers, migration 0011) unless a search has to
 * count its matches. test/integration/read-plans.test.ts checks the plans.
 */
export async function listTrackedJson(
  db: Queryable,
  spec: TrackedTableSpec,
  teamId: string,
  opts: { page: number; limit: number; platform?: string; search?: string },
): Promise<{ items: string; total: number }> {
  const where = ['team_id = $1', 'deleted_at IS NULL'];
  const params: unknown[] = [teamId];
  if (opts.platform) {
    params.push(opts.platform);
    where.push(`platform = $${params.length}`);
  }
  let total = `(SELECT COALESCE(sum(live), 0) FROM tracked_live_counts
                 WHERE resource_table = '${spec.table}' AND team_id = $1${opts.platform ? ' AND platform = $2' : ''})`;
  if (opts.search) {
    params.push(`%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(${spec.searchColumns.map((c) => `${c} ILIKE $${params.length}`).join(' OR ')})`);
    total = `(SELECT count(*) FROM ${spec.table} WHERE ${where.join(' AND ')})`;
  }
  const filters = params.length;
  const offset = (opts.page - 1) * opts.limit;
  params.push(opts.limit, offset);
  const order = 'created_at DESC, id';
  const page = `WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${filters + 1} OFFSET $${filters + 2}`;
  // past the first page the ids come off the list index alone (an index-only scan over the entries skipped), then
  // only the page's rows are read by key: reading every skipped row made Postgres prefer sorting the whole team, and
  // a join to the ids let it scan the whole table on small ones
  const rows =
    offset === 0
      ? `SELECT * FROM ${spec.table} ${page}`
      : `SELECT * FROM ${spec.table} WHERE id = ANY (ARRAY (SELECT id FROM ${spec.table} ${page}))`;
  const result = await db.query<{ items: string; total: number }>(
    prepared(`SELECT (${jsonArrayOf(spec.listColumns, rows, order)}) AS items, ${total}::int AS total`, params),
  );
  const first = result.rows[0] as { items: string; total: number };
  return { items: first.items, total: first.total };
}

/**
 * The team's row's most recent `limit` snapshots in the window, oldest first, as a JSON array text (`jsonArrayOf`) of
 * `snapshotColumns`; undefined when the row is not the team's. One prepared statement: the ownership check and the
 * read. Postgres reads the snapshots newest first off the index on (row, snapshot_at, cycle) and stops at the limit.
 */
export async function ownedSnapshotsJson(
  db: Queryable,
  spec: TrackedTableSpec,
  teamId: string,
  id: string,
  opts: { start?: Date; end?: Date; limit: number },
): Promise<string | undefined> {
  const params: unknown[] = [id, teamId];
  const where = snapshotsOf(spec, params, opts);
  params.push(opts.limit);
  const rows = `SELECT * FROM ${spec.snapshots} WHERE ${where.join(' AND ')}
    ORDER BY snapshot_at DESC, cycle DESC LIMIT $${params.length}`;
  const result = await db.query<{ items: string }>(
    prepared(
      `SELECT (${jsonArrayOf(spec.snapshotColumns, rows, 'snapshot_at, cycle')}) AS items
         FROM ${spec.table} owner WHERE owner.id = $1 AND owner.team_id = $2`,
      params,
    ),
  );
  return result.rows[0]?.items;
}

/**
 * The most recent `limit` snapshots in the window, oldest first (ready for a chart). Postgres reads them newest first
 * off the index on (row, snapshot_at, cycle) and stops at the limit; they are reversed here rather than sorted again.
 */
export async function listTrackedSnapshots<R>(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  opts: { start?: Date; end?: Date; limit: number },
): Promise<R[]> {
  const params: unknown[] = [id];
  const where = snapshotsOf(spec, params, opts);
  params.push(opts.limit);
  const result = await db.query(
    `SELECT ${spec.snapshotColumns} FROM ${spec.snapshots} WHERE ${where.join(' AND ')}
      ORDER BY ${spec.snapshots}.snapshot_at DESC, cycle DESC LIMIT $${params.length}`,
    params,
  );
  return (result.rows as R[]).reverse();
}

/** Every snapshot of the row in the window, oldest first, streamed (a download). */
export function streamTrackedSnapshots<R>(
  pool: Pool,
  spec: TrackedTableSpec,
  id: string,
  opts: { start?: Date; end?: Date },
): AsyncGenerator<R> {
  const params: unknown[] = [id];
  const where = snapshotsOf(spec, params, opts);
  return streamRows<R>(
    pool,
    `SELECT * FROM ${spec.snapshots} WHERE ${where.join(' AND ')} ORDER BY snapshot_at, cycle`,
    params,
  );
}

export interface StoredReport {
  id: string;
  analysis: unknown;
  model_used: string;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: Date;
}

export async function latestTrackedReport(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
): Promise<StoredReport | undefined> {
  const result = await db.query<StoredReport>(
    `SELECT id, analysis, model_used, prompt_tokens, completion_tokens, created_at FROM ${spec.reports}
      WHERE ${spec.foreignKey} = $1 ORDER BY cycle DESC LIMIT 1`,
    [id],
  );
  return result.rows[0];
}

/** The id of the report a cycle already wrote, so a retried report activity does not generate it again. */
export async function cycleReportId(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  cycle: number,
): Promise<string | undefined> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM ${spec.reports} WHERE ${spec.foreignKey} = $1 AND cycle = $2`,
    [id, cycle],
  );
  return result.rows[0]?.id;
}

/** Stores a cycle's report once; a concurrent duplicate keeps the first and gets its id. */
export async function storeCycleReport(
  db: Queryable,
  spec: TrackedTableSpec,
  report: { id: string; cycle: number; createdAt: string } & GeneratedReport<unknown>,
): Promise<string> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO ${spec.reports} (${spec.foreignKey}, cycle, analysis, model_used, prompt_tokens, completion_tokens,
       created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (${spec.foreignKey}, cycle) DO UPDATE SET analysis = ${spec.reports}.analysis
     RETURNING id`,
    [
      report.id,
      report.cycle,
      JSON.stringify(report.analysis),
      report.modelUsed,
      report.tokens?.prompt ?? null,
      report.tokens?.completion ?? null,
      report.createdAt,
    ],
  );
  return (result.rows[0] as { id: string }).id;
}

/**
 * Takes the tracked row's lock: a cycle's reservation, its failure and a stop are decided one after the other. Answers
 * the row's status as the lock found it (undefined when there is no row).
 */
export async function lockTracked(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
): Promise<LifecycleColumns['status'] | undefined> {
  const result = await db.query<{ status: LifecycleColumns['status'] }>(
    `SELECT status FROM ${spec.table} WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return result.rows[0]?.status;
}

/** Shows a cycle as running in the read model (`pending_jobs`). */
export async function markCycleRunning(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  cycle: { cycle: number; startedAt: string },
): Promise<void> {
  await db.query(
    `UPDATE ${spec.table} SET cycle_in_progress = $2, cycle_started_at = $3, updated_at = now() WHERE id = $1`,
    [id, cycle.cycle, cycle.startedAt],
  );
}

/** The tracking workflow's record of its state, as its one writer stores it. */
export interface TrackingStateColumns {
  status: string;
  pauseReason: string | null;
  cadence: string;
  nextScrapeAt: string | null;
  consecutiveFailures: number;
  /** why tracking stopped, once stopped */
  stopReason?: string | null;
  /** an operator's text with a manual pause */
  pauseNote?: string | null;
  /** the writer's sequence number: a write older than the one stored changes nothing */
  sequence: number;
}

/**
 * Writes status, pause reason, cadence, schedule and failure count (a stop also soft-deletes the row) unless a newer
 * write is stored; answers whether it was written, with the row's last failure.
 */
export async function writeTrackingState(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  state: TrackingStateColumns,
): Promise<{ written: boolean; lastFailure: unknown }> {
  const updated = await db.query<{ last_failure: unknown }>(
    `UPDATE ${spec.table} SET
       status = $2, pause_reason = $3, scrape_cadence = $4, next_scrape_at = $5, consecutive_failures = $6,
       deleted_at = CASE WHEN $2 = 'stopped' THEN COALESCE(deleted_at, now()) ELSE deleted_at END,
       state_version = $7, stop_reason = $8, pause_note = $9, updated_at = now()
     WHERE id = $1 AND state_version <= $7 RETURNING last_failure`,
    [
      id,
      state.status,
      state.pauseReason,
      state.cadence,
      state.nextScrapeAt,
      state.consecutiveFailures,
      state.sequence,
      state.stopReason ?? null,
      state.pauseNote ?? null,
    ],
  );
  return { written: updated.rowCount === 1, lastFailure: updated.rows[0]?.last_failure ?? null };
}

/**
 * A tracked row still live whose workflow has closed: the reconciler's view of it, with the cycle it left running.
 * Locks the row, so the reconciler's settlement and a late attempt of the workflow's own steps go one after the other.
 */
export async function lockLiveTracked(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
): Promise<LiveTracked | undefined> {
  const result = await db.query<LiveTracked>(
    `SELECT team_id, scrape_cadence, consecutive_failures, cycle_in_progress, cycle_started_at FROM ${spec.table}
      WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [id],
  );
  return result.rows[0];
}

interface LiveTracked {
  team_id: string;
  scrape_cadence: string;
  consecutive_failures: number;
  cycle_in_progress: number | null;
  cycle_started_at: Date | null;
}

/**
 * Of these tracked creators and videos, the ones a closed workflow leaves nothing more to do for: stopped, and (a
 * creator) with no paid job still pending or processing. As `creator:<id>` / `video:<id>`; one query for them all.
 */
export async function settledStoppedTracked(
  db: Queryable,
  ids: { creators: readonly string[]; videos: readonly string[] },
): Promise<Set<string>> {
  if (ids.creators.length === 0 && ids.videos.length === 0) return new Set();
  const result = await db.query<{ ref: string }>(
    `SELECT 'creator:' || c.id AS ref FROM tracked_creators c
      WHERE c.id = ANY ($1::uuid[]) AND c.status = 'stopped'
        AND NOT EXISTS (SELECT 1 FROM paid_jobs j
                         WHERE j.tracking_account_id = c.id AND j.status IN ('pending', 'processing'))
     UNION ALL
     SELECT 'video:' || v.id FROM tracked_videos v WHERE v.id = ANY ($2::uuid[]) AND v.status = 'stopped'`,
    [ids.creators, ids.videos],
  );
  return new Set(result.rows.map((row) => row.ref));
}

/** A failed cycle in the read model: counted once (`counted`), its failure kept, no cycle running. */
export async function markCycleFailed(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  failed: { counted: boolean; failure: unknown },
): Promise<void> {
  await db.query(
    `UPDATE ${spec.table} SET
       cycles_failed = cycles_failed + $2, last_failure = $3,
       enrichment_status = CASE WHEN cycles_completed = 0 THEN 'failed' ELSE enrichment_status END,
       cycle_in_progress = NULL, cycle_started_at = NULL
     WHERE id = $1`,
    [id, failed.counted ? 1 : 0, JSON.stringify(failed.failure)],
  );
}

/** One snapshot by cycle. */
export async function snapshotOfCycle<R>(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  cycle: number,
): Promise<R | undefined> {
  const result = await db.query(`SELECT * FROM ${spec.snapshots} WHERE ${spec.foreignKey} = $1 AND cycle = $2`, [
    id,
    cycle,
  ]);
  return result.rows[0] as R | undefined;
}

/** The growth metric over the 60 days up to `until`, for the trailing growth summary. */
export async function trailingSeries(
  db: Queryable,
  spec: TrackedTableSpec,
  id: string,
  until: string,
): Promise<{ value: number | null; snapshot_at: Date }[]> {
  const result = await db.query<{ value: number | null; snapshot_at: Date }>(
    `SELECT ${spec.growthMetric} AS value, snapshot_at FROM ${spec.snapshots}
      WHERE ${spec.foreignKey} = $1 AND snapshot_at >= $2::timestamptz - interval '60 days'`,
    [id, until],
  );
  return result.rows;
}
