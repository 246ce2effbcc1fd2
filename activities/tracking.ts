import type { Pool, PoolClient } from 'pg';
import { recordEvent } from '../db/events';
import { capture, InsufficientCreditsError, refund, reserve } from '../db/ledger';
import { storeCycleReport, type TrackedTableSpec } from '../db/tracked';
import { inTransaction } from '../db/transaction';
import type { GeneratedReport } from '../domain/report-text';
import type { PauseReason, RegistrationResult, TrackedResourceType, TrackingStatus } from '../workflows/messages';
import { withDatabase } from './database-retry';

/** Read-model table per tracked resource type (a fixed map: table names never come from input). */
export const TRACKED_TABLES: Record<TrackedResourceType, string> = {
  creator: 'tracked_creators',
  video: 'tracked_videos',
};

export const resourcePath = (type: TrackedResourceType, id: string): string =>
  `/v1/tracking/${type === 'creator' ? 'creators' : 'videos'}/${id}`;

export interface BeginCycleInput {
  resourceType: TrackedResourceType;
  id: string;
  teamId: string;
  cycle: number;
  amountCents: number;
  reservationKey: string;
  startedAt: string;
}

export interface FailCycleInput {
  resourceType: TrackedResourceType;
  id: string;
  teamId: string;
  cycle: number;
  reservationKey: string;
  refundKey: string;
  failure: { kind: string; message: string };
  consecutiveFailures: number;
  startedAt: string;
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  nextScrapeAt: string | null;
  version: number;
  /** set when this failure auto-pauses tracking: the key of the `tracking.paused` event */
  pausedEventKey?: string;
}

export interface SaveTrackingStateInput {
  resourceType: TrackedResourceType;
  id: string;
  teamId: string;
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  cadence: string;
  nextScrapeAt: string | null;
  consecutiveFailures: number;
  version: number;
  pausedEvent?: { reason: PauseReason; eventKey: string };
}

/** Reserves a cycle and marks it running in the read model, in one transaction. */
export async function reserveAndMarkRunning(client: PoolClient, input: BeginCycleInput): Promise<void> {
  await reserve(client, {
    teamId: input.teamId,
    amountCents: input.amountCents,
    idempotencyKey: input.reservationKey,
    operation: 'tracking_cycle',
    resourceType: input.resourceType,
    resourceId: input.id,
    description: `${input.resourceType} tracking cycle ${input.cycle}`,
  });
  await client.query(
    `UPDATE ${TRACKED_TABLES[input.resourceType]}
        SET cycle_in_progress = $2, cycle_started_at = $3, updated_at = now() WHERE id = $1`,
    [input.id, input.cycle, input.startedAt],
  );
}

/**
 * The first cycle's reservation together with the tracked item's read-model row: both or neither. A balance that
 * cannot pay, or an item this team already tracks (the table's one-live-row index), leaves nothing behind.
 */
export async function registerTracked(
  pool: Pool,
  begin: BeginCycleInput,
  insertRow: (client: PoolClient) => Promise<void>,
  existing: { constraint: string; find: () => Promise<string | undefined> },
): Promise<RegistrationResult> {
  try {
    await inTransaction(pool, async (client) => {
      await insertRow(client);
      await reserveAndMarkRunning(client, begin);
    });
    return { registered: true };
  } catch (err) {
    if (err instanceof InsufficientCreditsError) {
      return { registered: false, reason: 'insufficient_credits', message: err.message };
    }
    if ((err as { constraint?: string }).constraint === existing.constraint) {
      const existingId = await existing.find();
      if (existingId) return { registered: false, reason: 'already_tracked', existingId };
    }
    throw err;
  }
}

/**
 * The bookkeeping every completed cycle shares, inside the caller's transaction: capture the reservation and record
 * the cycle. `first` is false when a retried activity finds the cycle already recorded (counters must not move).
 */
export async function captureAndRecordCycle(
  client: PoolClient,
  input: {
    resourceType: TrackedResourceType;
    id: string;
    cycle: number;
    cycleAt: string;
    reservationKey: string;
    captureKey: string;
  },
): Promise<{ first: boolean }> {
  await capture(client, input.reservationKey, input.captureKey);
  const recorded = await client.query(
    `INSERT INTO tracking_cycles (resource_type, resource_id, cycle, status, started_at)
     VALUES ($1, $2, $3, 'completed', $4) ON CONFLICT DO NOTHING RETURNING cycle`,
    [input.resourceType, input.id, input.cycle, input.cycleAt],
  );
  return { first: recorded.rowCount === 1 };
}

async function recordPaused(
  client: PoolClient,
  input: { resourceType: TrackedResourceType; id: string; teamId: string },
  eventKey: string,
  reason: PauseReason,
): Promise<void> {
  const row = await client.query<{ consecutive_failures: number; last_failure: unknown }>(
    `SELECT consecutive_failures, last_failure FROM ${TRACKED_TABLES[input.resourceType]} WHERE id = $1`,
    [input.id],
  );
  await recordEvent(client, {
    key: eventKey,
    teamId: input.teamId,
    type: 'tracking.paused',
    resourceType: input.resourceType,
    resourceId: input.id,
    data: {
      resource_type: input.resourceType,
      id: input.id,
      status: 'paused',
      pause_reason: reason,
      consecutive_failures: row.rows[0]?.consecutive_failures ?? null,
      last_failure: row.rows[0]?.last_failure ?? null,
      url: resourcePath(input.resourceType, input.id),
    },
  });
}

/** The schedule columns, written only when this state version is not older than the one stored. */
const SCHEDULE_SET = `
  status = CASE WHEN state_version <= $V THEN $S ELSE status END,
  pause_reason = CASE WHEN state_version <= $V THEN $P ELSE pause_reason END,
  next_scrape_at = CASE WHEN state_version <= $V THEN $N::timestamptz ELSE next_scrape_at END,
  state_version = GREATEST(state_version, $V)`;

function scheduleSet(
  params: { version: number; status: string; pauseReason: string | null; next: string | null },
  offset: number,
) {
  const names = { V: offset, S: offset + 1, P: offset + 2, N: offset + 3 };
  const sql = SCHEDULE_SET.replace(/\$([VSPN])/g, (_, k: keyof typeof names) => `$${names[k]}`);
  return { sql, values: [params.version, params.status, params.pauseReason, params.next] };
}

export function createTrackingActivities(pool: Pool) {
  return {
    /** Reserves the cycle's credits; `reserved: false` when the balance cannot pay (the workflow then pauses). */
    async beginCycle(input: BeginCycleInput): Promise<{ reserved: boolean; balanceCents?: number | null }> {
      try {
        await inTransaction(pool, (client) => reserveAndMarkRunning(client, input));
        return { reserved: true };
      } catch (err) {
        if (err instanceof InsufficientCreditsError) return { reserved: false, balanceCents: err.balanceCents };
        throw err;
      }
    },

    /** Refunds a failed cycle and records its typed failure (and an auto-pause) in one transaction. */
    async failCycle(input: FailCycleInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        await refund(
          client,
          input.reservationKey,
          input.refundKey,
          `refund: cycle ${input.cycle} failed (${input.failure.kind})`,
        );
        const first = await client.query(
          `INSERT INTO tracking_cycles (resource_type, resource_id, cycle, status, failure_kind, failure_message, started_at)
           VALUES ($1, $2, $3, 'failed', $4, $5, $6) ON CONFLICT DO NOTHING RETURNING cycle`,
          [input.resourceType, input.id, input.cycle, input.failure.kind, input.failure.message, input.startedAt],
        );
        const schedule = scheduleSet(
          { version: input.version, status: input.status, pauseReason: input.pauseReason, next: input.nextScrapeAt },
          5,
        );
        await client.query(
          `UPDATE ${TRACKED_TABLES[input.resourceType]} SET
             cycles_failed = cycles_failed + $2,
             consecutive_failures = $3,
             last_failure = $4,
             enrichment_status = CASE WHEN cycles_completed = 0 THEN 'failed' ELSE enrichment_status END,
             cycle_in_progress = NULL, cycle_started_at = NULL,
             updated_at = now(), ${schedule.sql}
           WHERE id = $1`,
          [
            input.id,
            first.rowCount === 1 ? 1 : 0,
            input.consecutiveFailures,
            JSON.stringify({ ...input.failure, cycle: input.cycle, at: new Date().toISOString() }),
            ...schedule.values,
          ],
        );
        if (input.pausedEventKey) await recordPaused(client, input, input.pausedEventKey, 'consecutive_failures');
      });
    },

    /** Writes status, cadence and schedule to the read model (a stop also soft-deletes it). */
    async saveTrackingState(input: SaveTrackingStateInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        const schedule = scheduleSet(
          { version: input.version, status: input.status, pauseReason: input.pauseReason, next: input.nextScrapeAt },
          4,
        );
        await client.query(
          `UPDATE ${TRACKED_TABLES[input.resourceType]} SET
             scrape_cadence = CASE WHEN state_version <= $4 THEN $2 ELSE scrape_cadence END,
             consecutive_failures = CASE WHEN state_version <= $4 THEN $3 ELSE consecutive_failures END,
             deleted_at = CASE WHEN $5 = 'stopped' THEN COALESCE(deleted_at, now()) ELSE deleted_at END,
             updated_at = now(), ${schedule.sql}
           WHERE id = $1`,
          [input.id, input.cadence, input.consecutiveFailures, ...schedule.values],
        );
        if (input.pausedEvent) await recordPaused(client, input, input.pausedEvent.eventKey, input.pausedEvent.reason);
      });
    },
  };
}

/** Stores a cycle's written report once (a retried step finds it), waiting out a database outage. */
export function storeReport(
  pool: Pool,
  tables: TrackedTableSpec,
  cycle: { id: string; cycle: number; cycleAt: string },
  report: GeneratedReport<unknown>,
): Promise<string> {
  return withDatabase(() =>
    storeCycleReport(pool, tables, { id: cycle.id, cycle: cycle.cycle, ...report, createdAt: cycle.cycleAt }),
  );
}
