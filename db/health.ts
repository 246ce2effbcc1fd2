import type { Queryable } from './transaction';

/** The cheapest statement the server must answer: `/healthz` asks whether Postgres is there at all. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** Records that the health probe workflow's activity ran, once per workflow run. */
export async function recordHealthProbe(db: Queryable, runId: string): Promise<void> {
  await db.query('INSERT INTO health_probes (run_id) VALUES ($1) ON CONFLICT (run_id) DO NOTHING', [runId]);
}

/** When the probe of a workflow run wrote its row, if it did. */
export async function healthProbeWrittenAt(db: Queryable, runId: string): Promise<Date | undefined> {
  const row = await db.query<{ written_at: Date }>('SELECT written_at FROM health_probes WHERE run_id = $1', [runId]);
  return row.rows[0]?.written_at;
}

/** Deletes every probe row but the given run's: the round trip leaves at most one row behind, not one per call. */
export async function pruneHealthProbes(db: Queryable, keepRunId: string): Promise<void> {
  await db.query('DELETE FROM health_probes WHERE run_id <> $1', [keepRunId]);
}
