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

/** How the cycle ended, if it has. */
export async function cycleEndStatus(db: Queryable, ref: CycleRef): Promise<'completed' | 'failed' | undefined> {
  const ended = await db.query<{ status: 'completed' | 'failed' }>(
    'SELECT status FROM tracking_cycles WHERE resource_type = $1 AND resource_id = $2 AND cycle = $3',
    [ref.resourceType, ref.id, ref.cycle],
  );
  return ended.rows[0]?.status;
}

/**
 * Records how a cycle ended (`finishedAt`, else now); `true` the first time, `false` when it was already recorded
 * (counters must not move).
 */
export async function recordCycleEnd(
  db: Queryable,
  ref: CycleRef,
  end: { startedAt: string; failure?: { kind: string; message: string }; finishedAt?: string },
): Promise<boolean> {
  const recorded = await db.query(
    `INSERT INTO tracking_cycles
       (resource_type, resource_id, cycle, status, failure_kind, failure_message, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::timestamptz, now())) ON CONFLICT DO NOTHING RETURNING cycle`,
    [
      ref.resourceType,
      ref.id,
      ref.cycle,
      end.failure ? 'failed' : 'completed',
      end.failure?.kind ?? null,
      end.failure?.message ?? null,
      end.startedAt,
      end.finishedAt ?? null,
    ],
  );
  return recorded.rowCount === 1;
}
