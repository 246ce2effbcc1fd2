import type { Pool } from 'pg';

export function createHealthActivities(pool: Pool) {
  return {
    async recordHealthProbe(runId: string): Promise<void> {
      await pool.query('INSERT INTO health_probes (run_id) VALUES ($1) ON CONFLICT (run_id) DO NOTHING', [runId]);
    },
  };
}
