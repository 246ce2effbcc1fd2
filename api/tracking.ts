import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Pool } from 'pg';
import { teamBalance } from '../db/ledger';
import type { LifecycleColumns } from '../db/tracked';
import { cadenceLabel } from '../domain/cadence';
import { CYCLE_COST } from '../domain/costs';
import { trackingSearchAttributes } from '../domain/search-attributes';
import {
  patchTrackingUpdate,
  registrationUpdate,
  stopTrackingUpdate,
  type CreatorTrackingInput,
  type RegistrationResult,
  type TrackedResourceType,
  type TrackingPatch,
  type TrackingView,
  type VideoTrackingInput,
} from '../workflows/messages';
import { ApiError } from './errors';
import { withTemporalDeadline } from './outages';

/** What the creators and videos routes share: starting, patching and stopping a tracking workflow. */
export const trackingWorkflowId = (target: { resourceType: TrackedResourceType; id: string }): string =>
  `${target.resourceType}:${target.id}`;

type Started =
  | { workflowType: 'creatorTrackingWorkflow'; input: CreatorTrackingInput }
  | { workflowType: 'videoTrackingWorkflow'; input: VideoTrackingInput };

/**
 * Starts the workflow and waits, in one call (update-with-start), for its registration: the first reservation and the
 * read-model row. The answer is registered, `insufficient_credits` or `already_tracked`; nothing else is left behind.
 */
export async function startTracking(
  temporal: Client,
  taskQueue: string,
  started: Started,
  label: string,
): Promise<Exclude<RegistrationResult, { reason: 'insufficient_credits' }>> {
  const { input } = started;
  const target =
    started.workflowType === 'creatorTrackingWorkflow'
      ? { resourceType: 'creator' as const, handle: started.input.handle }
      : { resourceType: 'video' as const, handle: started.input.authorHandle, videoId: started.input.videoId };
  const result = await withTemporalDeadline(temporal, () =>
    temporal.workflow.executeUpdateWithStart(registrationUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(started.workflowType, {
        workflowId: trackingWorkflowId({ resourceType: target.resourceType, id: input.id }),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: `${input.platform} ${label} · ${cadenceLabel(input.cadence)}`,
        typedSearchAttributes: trackingSearchAttributes({ ...input, ...target, status: 'active' }),
      }),
    }),
  );
  if (!result.registered && result.reason === 'insufficient_credits') {
    throw new ApiError(402, 'payment_required', result.message);
  }
  return result;
}

/**
 * The read-model lifecycle a registration leaves behind: active, with its first cycle reserved and marked running. A
 * registered POST answers from this rather than reading the row back, so a read failing after the credits were
 * reserved cannot turn a tracked, charged item into an error that a retry would then contradict.
 */
export const registeredLifecycle = (id: string): LifecycleColumns => ({
  id,
  status: 'active',
  enrichment_status: 'pending',
  cycle_in_progress: 1,
  cycle_started_at: null,
});

/** A quick 402 before starting anything; the reservation inside the workflow is what guarantees the balance. */
export async function requireCredits(pool: Pool, teamId: string, cents: number, what: string): Promise<void> {
  const balance = await teamBalance(pool, teamId);
  if (balance < cents) {
    throw new ApiError(
      402,
      'payment_required',
      `Insufficient credits: ${what} costs ${cents} credits (cents) and the balance is ${balance}`,
    );
  }
}

export const requireCycleCredits = (pool: Pool, teamId: string, what: string): Promise<void> =>
  requireCredits(pool, teamId, CYCLE_COST, what);

/** A 400 when a query's `start_date` is after its `end_date`; either may be absent. */
export function refuseInvertedRange(query: { start_date?: Date; end_date?: Date }): void {
  if (query.start_date && query.end_date && query.start_date > query.end_date) {
    throw new ApiError(400, 'invalid_request', 'Invalid query: start_date is after end_date');
  }
}

/** The snapshots window of `GET .../snapshots`, refusing an inverted range. */
export function snapshotWindow(query: { start_date?: Date; end_date?: Date; limit: number }) {
  refuseInvertedRange(query);
  return { start: query.start_date, end: query.end_date, limit: query.limit };
}

/**
 * Sends an Update to a tracking workflow under the API's Temporal deadline; a stopped workflow or a rejected Update
 * is a 409.
 */
export async function update<R>(temporal: Client, what: string, send: () => Promise<R>): Promise<R> {
  try {
    return await withTemporalDeadline(temporal, send);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new ApiError(409, 'conflict', `Tracking of ${what} has been stopped`);
    if (err instanceof WorkflowUpdateFailedError) {
      throw new ApiError(409, 'conflict', `Cannot update ${what}: ${err.cause?.message ?? err.message}`);
    }
    throw err;
  }
}

export function patchTracking(
  temporal: Client,
  target: { resourceType: TrackedResourceType; id: string },
  body: { status?: TrackingPatch['status']; scrape_cadence?: TrackingPatch['cadence'] },
): Promise<TrackingView> {
  // the workflow's own shape: an HTTP field name never enters a history
  const patch: TrackingPatch = {
    ...(body.status !== undefined ? { status: body.status } : {}),
    ...(body.scrape_cadence !== undefined ? { cadence: body.scrape_cadence } : {}),
  };
  return update(temporal, `${target.resourceType} ${target.id}`, () =>
    temporal.workflow.getHandle(trackingWorkflowId(target)).executeUpdate(patchTrackingUpdate, { args: [patch] }),
  );
}

export function stopTracking(
  temporal: Client,
  target: { resourceType: TrackedResourceType; id: string },
): Promise<TrackingView> {
  return update(temporal, `${target.resourceType} ${target.id}`, () =>
    temporal.workflow.getHandle(trackingWorkflowId(target)).executeUpdate(stopTrackingUpdate),
  );
}
