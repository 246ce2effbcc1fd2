import { ApplicationFailure } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { CREATOR_TABLES, creatorPath } from '../db/creators';
import { cycleEndStatus, recordCycleEnd } from '../db/cycles';
import { recordEvent } from '../db/events';
import {
  capture,
  InsufficientCreditsError,
  refundUnlessCaptured,
  reserve,
  unsettledReservations,
} from '../db/ledger';
import {
  lockLiveTracked,
  lockTracked,
  markCycleFailed,
  markCycleRunning,
  storeCycleReport,
  writeTrackingState,
  type TrackedTableSpec,
} from '../db/tracked';
import { VIDEO_TABLES, videoPath } from '../db/videos';
import { inTransaction } from '../db/transaction';
import type { Platform } from '../domain/platform';
import type { GeneratedReport } from '../domain/report-text';
import type { RegistrationResult, StopReason, TrackedResourceType, TrackingRecord } from '../workflows/messages';
import { inRetriedTransaction, withDatabase } from './database-retry';
import { cycles } from '../telemetry/business-metrics';

/** Read-model tables per tracked resource type (a fixed map: table names never come from input). */
const TRACKED_TABLES: Record<TrackedResourceType, TrackedTableSpec> = { creator: CREATOR_TABLES, video: VIDEO_TABLES };

const resourcePath = (type: TrackedResourceType, id: string): string =>
  type === 'creator' ? creatorPath(id) : videoPath(id);

/** Who a bookkeeping step is about. */
export interface TrackedRef {
  resourceType: TrackedResourceType;
  id: string;
  teamId: string;
}

export interface ReserveCycleInput extends TrackedRef {
  cycle: number;
  amountCents: number;
  reservationKey: string;
  startedAt: string;
}

export interface FailCycleInput extends TrackedRef {
  /** the workflows pass it (the entity spreads into the input); a metric label only */
  platform?: string;
  cycle: number;
  startedAt: string;
  reservationKey: string;
  refundKey: string;
  failure: { kind: string; message: string };
  record: SequencedRecord;
}

export interface SaveTrackingStateInput extends TrackedRef {
  record: SequencedRecord;
}

/**
 * The workflow's record of its state with the writer's sequence number: writes are issued one at a time, newest last,
 * but an attempt cut off by its timeout may still commit late, so a write older than the one stored changes nothing.
 */
export interface SequencedRecord extends TrackingRecord {
  sequence: number;
}

/** What every registration carries: who registers, and the first cycle's price, key and record. */
export interface RegistrationInput {
  id: string;
  teamId: string;
  platform: Platform;
  amountCents: number;
  reservationKey: string;
  startedAt: string;
  record: SequencedRecord;
}

/**
 * Reserves a cycle and marks it running in the read model, in one transaction. A stopped row takes no cycle: the step
 * fails for good (`tracking_stopped`) with nothing reserved, so the stop's settlement stays final and a failed cycle's
 * refund finds no reservation to give back (it writes nothing). A cycle that has already ended is
 * being run again: by a reset of its workflow to an earlier point, or by a late attempt of a step cut off by its
 * timeout. One that completed reserves nothing and runs on to complete again with its own keys, which find the capture,
 * the snapshot and the event already there (no charge, no second snapshot); one that failed fails again at once.
 */
export async function reserveAndMarkRunning(client: PoolClient, input: ReserveCycleInput): Promise<void> {
  const status = await lockTracked(client, TRACKED_TABLES[input.resourceType], input.id);
  if (status === 'stopped') {
    // a stop settles every reservation it finds, and nothing settles one made after it: a step of a closed workflow
    // (terminated while its attempt was in flight or already dispatched) must not hold credits on the stopped row
    throw ApplicationFailure.create({
      type: 'tracking_stopped',
      message: `${input.resourceType} ${input.id}: tracking has stopped; cycle ${input.cycle} reserves nothing`,
      nonRetryable: true,
    });
  }
  const ended = await cycleEndStatus(client, input);
  if (ended === 'completed') return;
  if (ended === 'failed') {
    throw ApplicationFailure.create({
      type: 'cycle_ended',
      message: `${input.resourceType} ${input.id}: cycle ${input.cycle} has already ended (failed)`,
      nonRetryable: true,
    });
  }
  await reserve(client, {
    teamId: input.teamId,
    amountCents: input.amountCents,
    idempotencyKey: input.reservationKey,
    operation: 'tracking_cycle',
    resourceType: input.resourceType,
    resourceId: input.id,
    description: `${input.resourceType} tracking cycle ${input.cycle}`,
  });
  await markCycleRunning(client, TRACKED_TABLES[input.resourceType], input.id, input);
}

/**
 * A cycle's reservation, made by its metrics step before anything is called: idempotent by its key (a retried step,
 * or the first cycle whose registration reserved it, finds it made), and a refusal when the balance cannot pay.
 */
export async function reserveCycle(
  pool: Pool,
  input: ReserveCycleInput,
): Promise<{ reserved: true } | { reserved: false; balanceCents: number | null }> {
  try {
    await inRetriedTransaction(pool, (client) => reserveAndMarkRunning(client, input));
    return { reserved: true };
  } catch (err) {
    if (err instanceof InsufficientCreditsError) return { reserved: false, balanceCents: err.balanceCents };
    throw err;
  }
}

/**
 * The first cycle's reservation together with the tracked item's read-model row: both or neither. A balance that
 * cannot pay, or an item this team already tracks (the table's one-live-row index), leaves nothing behind.
 */
export async function registerTracked(
  pool: Pool,
  begin: ReserveCycleInput & { record: SequencedRecord },
  insertRow: (client: PoolClient) => Promise<void>,
  existing: { constraint: string; find: () => Promise<string | undefined> },
): Promise<RegistrationResult> {
  try {
    await inTransaction(pool, async (client) => {
      await insertRow(client);
      await writeRecord(client, begin, begin.record);
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
    platform: string;
    cycle: number;
    cycleAt: string;
    reservationKey: string;
    captureKey: string;
  },
): Promise<{ first: boolean }> {
  await capture(client, input.reservationKey, input.captureKey);
  const first = await recordCycleEnd(client, input, { startedAt: input.cycleAt });
  if (first) countCycle(input.resourceType, input.platform, 'completed');
  return { first };
}

const countCycle = (resource: string, platform: string | undefined, outcome: string): void =>
  cycles.inc({ resource, platform: platform ?? 'unknown', outcome });

/**
 * Writes the workflow's record of its state to the read model: status, pause reason, cadence, schedule and failure
 * count (a stop also soft-deletes the row), and announces an automatic pause once, keyed by which pause it is. Only
 * the workflow's one writer calls it, one write at a time; `state_version` keeps a late attempt of an older write
 * from undoing a newer one.
 */
export async function writeRecord(client: PoolClient, ref: TrackedRef, record: SequencedRecord): Promise<void> {
  const { written, lastFailure } = await writeTrackingState(client, TRACKED_TABLES[ref.resourceType], ref.id, record);
  if (!written) return;
  const common = { teamId: ref.teamId, resourceType: ref.resourceType, resourceId: ref.id };
  if (record.status === 'stopped') {
    // once per entity, whoever stopped it (DELETE, a cancellation, the reconciler)
    await recordEvent(client, {
      ...common,
      key: `${ref.resourceType}:${ref.id}:stopped`,
      type: 'tracking.stopped',
      data: {
        resource_type: ref.resourceType,
        id: ref.id,
        status: 'stopped',
        stop_reason: record.stopReason ?? 'requested',
        url: resourcePath(ref.resourceType, ref.id),
      },
    });
    return;
  }
  if (record.autoPause === null || !record.pauseReason) return;
  await recordEvent(client, {
    ...common,
    key: `${ref.resourceType}:${ref.id}:paused:${record.autoPause}`,
    type: 'tracking.paused',
    data: {
      resource_type: ref.resourceType,
      id: ref.id,
      status: 'paused',
      pause_reason: record.pauseReason,
      consecutive_failures: record.consecutiveFailures,
      last_failure: lastFailure,
      url: resourcePath(ref.resourceType, ref.id),
    },
  });
}

/** Ends a cycle that did not complete: its reservation refunded (unless captured), its end and failure recorded. */
async function endFailedCycle(
  client: PoolClient,
  ref: TrackedRef & {
    platform?: string;
    cycle: number;
    startedAt: string;
    reservationKey: string;
    refundKey: string;
    /** when the cycle stopped, if not now */
    finishedAt?: string;
  },
  failure: { kind: string; message: string },
): Promise<void> {
  await refundUnlessCaptured(
    client,
    ref.reservationKey,
    ref.refundKey,
    `refund: cycle ${ref.cycle} failed (${failure.kind})`,
  );
  const first = await recordCycleEnd(client, ref, { startedAt: ref.startedAt, failure, finishedAt: ref.finishedAt });
  if (first) countCycle(ref.resourceType, ref.platform, failure.kind);
  await markCycleFailed(client, TRACKED_TABLES[ref.resourceType], ref.id, {
    counted: first,
    failure: { ...failure, cycle: ref.cycle, at: ref.finishedAt ?? new Date().toISOString() },
  });
}

/** Higher than any sequence a workflow's writer reaches: a stop written for a closed workflow is never undone. */
const FINAL_SEQUENCE = 2_147_483_647;

/**
 * Stops a tracked entity whose workflow closed without stopping it (terminated, timed out, failed, or cancelled
 * before it registered): every cycle reservation left unsettled is refunded and its cycle ended, and the row is
 * written stopped with `reason` (the `tracking.stopped` event with it). Nothing happens to a row already stopped, so
 * running it again, or beside another reconciler, changes nothing. Answers whether it stopped the row. Each cycle
 * ended here is recorded as started when it did (the row's running cycle, else when it reserved) and as finished when
 * the workflow closed (`closedAt`, the execution's close time; now when unknown).
 */
export async function stopClosedTracked(
  pool: Pool,
  ref: { resourceType: TrackedResourceType; id: string },
  reason: StopReason,
  closedAt?: Date,
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const tables = TRACKED_TABLES[ref.resourceType];
    const row = await lockLiveTracked(client, tables, ref.id);
    if (!row) return false;
    const tracked = { ...ref, teamId: row.team_id };
    const workflowId = `${ref.resourceType}:${ref.id}`;
    const failure = { kind: 'stopped', message: `the tracking workflow closed (${reason}) while the cycle ran` };
    const reservations = await unsettledReservations(client, {
      resourceType: ref.resourceType,
      resourceId: ref.id,
      operation: 'tracking_cycle',
    });
    // each cycle left, with when it started, if known
    const cycles = new Map<number, Date | null>();
    if (row.cycle_in_progress !== null) cycles.set(row.cycle_in_progress, row.cycle_started_at);
    for (const { idempotency_key: key, created_at: reservedAt } of reservations) {
      const cycle = Number(/:(\d+):reserve$/.exec(key)?.[1]);
      if (key === `${workflowId}:${cycle}:reserve` && !cycles.get(cycle)) cycles.set(cycle, reservedAt);
    }
    const finishedAt = (closedAt ?? new Date()).toISOString();
    for (const [cycle, started] of cycles) {
      const prefix = `${workflowId}:${cycle}`;
      const startedAt = started?.toISOString() ?? finishedAt;
      await endFailedCycle(
        client,
        { ...tracked, cycle, startedAt, finishedAt, reservationKey: `${prefix}:reserve`, refundKey: `${prefix}:refund` },
        failure,
      );
    }
    await writeRecord(client, tracked, {
      status: 'stopped',
      pauseReason: null,
      cadence: row.scrape_cadence as TrackingRecord['cadence'],
      nextScrapeAt: null,
      consecutiveFailures: row.consecutive_failures,
      autoPause: null,
      stopReason: reason,
      pauseNote: null,
      sequence: FINAL_SEQUENCE,
    });
    return true;
  });
}

export function createTrackingActivities(pool: Pool) {
  return {
    /** Refunds a failed cycle and records its typed failure and the state it leaves, in one transaction. */
    async failCycle(input: FailCycleInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        // a metrics attempt cut off by its timeout may still be reserving: the lock orders the two, so either its
        // reservation is refunded here or it finds this cycle ended and reserves nothing
        // (a cancelled cycle may have captured already: it then completed, and nothing is refunded)
        await lockTracked(client, TRACKED_TABLES[input.resourceType], input.id);
        await endFailedCycle(client, input, input.failure);
        await writeRecord(client, input, input.record);
      });
    },

    /** Writes status, cadence and schedule to the read model (a stop also soft-deletes it). */
    async saveTrackingState(input: SaveTrackingStateInput): Promise<void> {
      await inTransaction(pool, (client) => writeRecord(client, input, input.record));
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
