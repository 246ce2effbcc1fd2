import {
  ActivityCancellationType,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { AUDIENCE_REFRESH_COST, COLLECTION_COSTS, COLLECTION_MAX_VIDEOS, type CollectionDepth } from '../domain/costs';
import { PROVIDER_FAILURES, type Platform } from '../domain/platform';
import { bookkeeping, bookkeepingOptions, platformRetry } from './activity-options';
import {
  INTERNAL_JOB_SIGNALS_PATCH,
  jobReservedSignal,
  jobSettlingSignal,
  legacyJobReservedSignal,
  legacyJobSettlingSignal,
  type JobReservation,
} from './messages';
import { failureOf } from './failures';
import { jobKeys, type JobKeys } from '../domain/job-keys';

export { jobKeys, jobWorkflowId, type JobKeys } from '../domain/job-keys';

type Activities = ReturnType<typeof createActivities>;

/**
 * The saga's money steps. A cancelled job waits for a running one to finish (WAIT_CANCELLATION_COMPLETED) before
 * compensating: a reservation committing after its refund ran would otherwise stay held forever.
 */
const ledgerSteps = proxyActivities<Activities>({
  ...bookkeepingOptions,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Reading the platform: long, so it heartbeats; a worker that dies is noticed within the heartbeat timeout. */
const collecting = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: platformRetry,
});

export interface PaidJobInput {
  jobId: string;
  teamId: string;
  creatorId: string;
  platform: Platform;
  handle: string;
  /** the creator workflow to tell about the reservation and the end; absent when started on its own */
  parentWorkflowId?: string;
}

export interface CollectionInput extends PaidJobInput {
  depth: CollectionDepth;
}

export interface PaidJobResult {
  jobId: string;
  status: 'completed' | 'failed';
  error: string | null;
}

type JobKind = 'post_collection' | 'audience_refresh';

/** Tells the creator workflow; it may have stopped meanwhile, and a job's outcome does not depend on it. */
async function notifyParent<A extends unknown[]>(
  input: PaidJobInput,
  send: (handle: ReturnType<typeof getExternalWorkflowHandle>) => Promise<A | void>,
): Promise<void> {
  if (!input.parentWorkflowId) return;
  try {
    await send(getExternalWorkflowHandle(input.parentWorkflowId));
  } catch (err) {
    if (isCancellation(err)) throw err;
  }
}

/** What a job's work leaves: the step that settles its credits, and the error it ends with, if any. */
interface Settlement {
  settle(): Promise<unknown>;
  error?: string;
}

/**
 * The saga every paid job runs: reserve before any work, do the work, then settle — and on any failure (cancellation
 * included) run the compensations registered so far, newest first. The refund is registered before the reservation
 * it undoes, so a reservation whose result was lost is still given back. The creator workflow hears that the job is
 * settling before its row says it ended, so no request that saw the row finished is refused as a job still running.
 */
async function runPaidJob(
  input: PaidJobInput,
  kind: JobKind,
  reserve: { amountCents: number; depth?: CollectionDepth; maxVideos?: number },
  work: (keys: JobKeys) => Promise<Settlement>,
): Promise<PaidJobResult> {
  const ref = { jobId: input.jobId, kind, teamId: input.teamId, creatorId: input.creatorId };
  const keys = jobKeys(workflowInfo().workflowId);
  let failure = { kind: 'error', message: 'unknown failure' };
  const compensations: (() => Promise<unknown>)[] = [];
  // a job started before the signals were renamed keeps sending the names its parent listens to
  const internalNames = patched(INTERNAL_JOB_SIGNALS_PATCH);
  const [reservedSignal, settlingSignal] = internalNames
    ? [jobReservedSignal, jobSettlingSignal]
    : [legacyJobReservedSignal, legacyJobSettlingSignal];
  const settling = () => notifyParent(input, (parent) => parent.signal(settlingSignal, { jobId: input.jobId }));
  try {
    compensations.push(() =>
      bookkeeping.compensateJob({
        ...ref,
        reservationKey: keys.reservationKey,
        settleKey: keys.refundKey,
        error: failure.kind,
        message: failure.message,
      }),
    );
    const reservation: JobReservation = await ledgerSteps.reserveJob({
      ...ref,
      ...reserve,
      reservationKey: keys.reservationKey,
    });
    await notifyParent(input, (parent) => parent.signal(reservedSignal, { jobId: input.jobId, reservation }));
    if (!reservation.reserved) return { jobId: input.jobId, status: 'failed', error: reservation.reason };
    setCurrentDetails(`reserved ${reserve.amountCents} credits; working`);
    const settlement = await work(keys);
    await settling();
    await settlement.settle();
    const error = settlement.error ?? null;
    return { jobId: input.jobId, status: error ? 'failed' : 'completed', error };
  } catch (err) {
    failure = isCancellation(err) ? { kind: 'cancelled', message: 'the job was cancelled' } : failureOf(err);
    await CancellationScope.nonCancellable(async () => {
      await settling();
      for (const compensate of compensations.reverse()) await compensate();
    });
    if (isCancellation(err)) throw err;
    return { jobId: input.jobId, status: 'failed', error: failure.kind };
  }
}

/**
 * `collection:<uuid>`: pages through a creator's posts up to the depth's maximum and upserts them, charging the
 * depth's price only when the collection completes.
 */
export async function postCollectionWorkflow(input: CollectionInput): Promise<PaidJobResult> {
  const maxVideos = COLLECTION_MAX_VIDEOS[input.depth];
  return runPaidJob(
    input,
    'post_collection',
    { amountCents: COLLECTION_COSTS[input.depth], depth: input.depth, maxVideos },
    async (keys) => {
      await collecting.collectPosts({
        jobId: input.jobId,
        creatorId: input.creatorId,
        platform: input.platform,
        handle: input.handle,
        maxVideos,
      });
      return {
        settle: () =>
          ledgerSteps.captureJob({
            jobId: input.jobId,
            kind: 'post_collection',
            teamId: input.teamId,
            creatorId: input.creatorId,
            reservationKey: keys.reservationKey,
            settleKey: keys.captureKey,
          }),
      };
    },
  );
}

/**
 * `audience:<uuid>`: samples the creator's engaged audience down the fallback ladder and stores the snapshot. As
 * documented, a platform error keeps the charge; `profile_only` and INSUFFICIENT_SAMPLE are refunded (in
 * completeAudienceJob); a cancelled refresh is refunded by the saga.
 */
export async function audienceRefreshWorkflow(input: PaidJobInput): Promise<PaidJobResult> {
  return runPaidJob(input, 'audience_refresh', { amountCents: AUDIENCE_REFRESH_COST }, async (keys) => {
    const ref = {
      jobId: input.jobId,
      kind: 'audience_refresh' as const,
      teamId: input.teamId,
      creatorId: input.creatorId,
    };
    let outcome;
    try {
      outcome = await collecting.sampleAudience({
        creatorId: input.creatorId,
        platform: input.platform,
        handle: input.handle,
        referenceDate: new Date().toISOString(),
      });
    } catch (err) {
      const { kind, message } = failureOf(err);
      // the platform's own typed failures are charged, as documented; timeouts (ours or an upstream's that did not
      // answer in time) and errors are compensated
      if (isCancellation(err) || kind === 'timeout' || !(PROVIDER_FAILURES as readonly string[]).includes(kind))
        throw err;
      return {
        error: kind,
        settle: () =>
          ledgerSteps.captureJob({
            ...ref,
            reservationKey: keys.reservationKey,
            settleKey: keys.captureKey,
            failure: { error: kind, message },
          }),
      };
    }
    return {
      error: outcome.kind === 'insufficient_sample' ? 'INSUFFICIENT_SAMPLE' : undefined,
      settle: () =>
        ledgerSteps.completeAudienceJob({
          ...ref,
          ...keys,
          snapshotId: uuid4(),
          snapshotAt: new Date().toISOString(),
          outcome,
        }),
    };
  });
}
