import type { Pool } from 'pg';
import { recordHealthProbe } from '../db/health';

export function createHealthActivities(pool: Pool) {
  return {
    async recordHealthProbe(runId: string): Promise<void> {
      await recordHealthProbe(pool, runId);
    },
  };
}
