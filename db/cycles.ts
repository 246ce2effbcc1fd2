import type { TrackedResourceType } from '../workflows/messages';
import type { Queryable } from './transaction';

/**
 * `tracking_cycles`: one row per ended cycle of a tracked creator or video, completed or failed. The primary key
 * (resource, cycle) makes each cycle end once; a retried step finds its row and changes nothing.
 */
export interface CycleRef {
  resourceType: TrackedResourceType;
  id: string;
  cycle: number;
}

/** Whether the cycle has already ended (completed or failed). */
export async function cycleEnded(db: Queryable, ref: CycleRef): Promise<boolean> {
  const ended = await db.query(
    'SELECT 1 FROM tracking_cycles WHERE resource_type = $1 AND resource_id = $2 AND cycle = $3',
    [ref.resourceType, ref.id, ref.cycle],
  );
  return (ended.rowCount ?? 0) > 0;
}

/**
 * Records how a cycle ended; `true` the first time, `false` when it was already recorded (counters must not move).
 */
export async function recordCycleEnd(
  db: Queryable,
  ref: CycleRef,
  end: { startedAt: string; failure?: { kind: string; message: string } },
): Promise<boolean> {
  const recorded = await db.query(
    `INSERT INTO tracking_cycles (resource_type, resource_id, cycle, status, failure_kind, failure_message, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING cycle`,
    [
      ref.resourceType,
      ref.id,
      ref.cycle,
      end.failure ? 'failed' : 'completed',
      end.failure?.kind ?? null,
      end.failure?.message ?? null,
      end.startedAt,
    ],
  );
  return recorded.rowCount === 1;
}
