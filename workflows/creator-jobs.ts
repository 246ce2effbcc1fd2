import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  isCancellation,
  patched,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { COLLECTION_DEPTHS, type CollectionDepth } from '../domain/costs';
import {
  INTERNAL_JOB_SIGNALS_PATCH,
  jobReservedSignal,
  jobSettlingSignal,
  legacyJobReservedSignal,
  legacyJobSettlingSignal,
  refreshAudienceUpdate,
  startCollectionUpdate,
  type ActiveJob,
  type CreatorJobs,
  type JobStart,
} from './messages';
import { bookkeeping } from './activity-options';
import {
  audienceRefreshWorkflow,
  jobKeys,
  jobWorkflowId,
  postCollectionWorkflow,
  type PaidJobInput,
} from './paid-jobs';
import { failureOf } from './failures';
import type { TrackedEntity } from './tracked-entity';
import { jobSearchAttributes } from '../domain/search-attributes';

type Slot = 'collection' | 'audience';
type JobKind = 'post_collection' | 'audience_refresh';
const SLOT_OF: Record<JobKind, Slot> = { post_collection: 'collection', audience_refresh: 'audience' };

/**
 * The creator workflow's side of its paid child jobs. Both are started by Updates, so the caller learns at once
 * whether the credits were reserved (402) — the child reserves first and signals the outcome back. At most one job of
 * each kind runs per creator: a second collection request is refused with the running one's id (the API answers
 * 409), a second audience refresh joins the running one (same job id, no second charge). Every child is awaited: its
 * slot frees when it closes, and continue-as-new and the workflow's end wait for it. A child tells this workflow
 * before it settles its credits, so a request that arrives once the job's row shows it finished waits the moment it
 * takes to close instead of being refused.
 */
export function installCreatorJobs(
  entity: TrackedEntity,
  jobs: CreatorJobs,
  stopped: () => boolean,
): { state: CreatorJobs; startInitialCollection(): Promise<void>; idle(): boolean; closed(): Promise<void> } {
  const parentWorkflowId = workflowInfo().workflowId;
  const input = (jobId: string): PaidJobInput => ({
    jobId,
    teamId: entity.teamId,
    creatorId: entity.id,
    platform: entity.platform,
    handle: entity.handle,
    parentWorkflowId,
  });
  const attributesOf = (jobType: JobKind) =>
    jobSearchAttributes({ teamId: entity.teamId, jobType, creatorId: entity.id, platform: entity.platform });
  /** the children this run started and has not seen close */
  const watching = new Map<string, Promise<void>>();
  const find = (jobId: string): ActiveJob | undefined =>
    [jobs.collection, jobs.audience].find((job) => job !== null && job.id === jobId) ?? undefined;

  const reserved = ({ jobId, reservation }: { jobId: string; reservation: ActiveJob['reservation'] }) => {
    const job = find(jobId);
    if (job) job.reservation = reservation;
  };
  const settling = ({ jobId }: { jobId: string }) => {
    const job = find(jobId);
    if (job) job.settling = true;
  };
  const internal = 'internal: sent by this creator’s child jobs; sending it by hand corrupts their bookkeeping';
  setHandler(jobReservedSignal, reserved, { description: internal });
  setHandler(jobSettlingSignal, settling, { description: internal });
  // a run started before the rename may have children (started then) that still send the old names
  if (!patched(INTERNAL_JOB_SIGNALS_PATCH)) {
    setHandler(legacyJobReservedSignal, reserved, { description: internal });
    setHandler(legacyJobSettlingSignal, settling, { description: internal });
  }

  /** A job is over: callers still waiting on its reservation learn it ended without one, and the slot is free. */
  const ended = (slot: Slot, jobId: string): void => {
    const job = jobs[slot];
    if (job?.id !== jobId) return;
    job.reservation ??= { reserved: false, reason: 'ended', message: `job ${jobId} ended before reserving credits` };
    jobs[slot] = null;
  };

  /** The saga's compensation for a job, run from here: refund unless captured, and the row marked failed. */
  const compensate = (kind: JobKind, jobId: string, error: string, message: string) => {
    const keys = jobKeys(jobWorkflowId(kind, jobId));
    return bookkeeping.compensateJob({
      jobId,
      kind,
      teamId: entity.teamId,
      creatorId: entity.id,
      reservationKey: keys.reservationKey,
      settleKey: keys.refundKey,
      error,
      message,
    });
  };

  /**
   * Starts a child job in its slot and awaits it: a child that closes without finishing its saga (terminated, timed
   * out) is compensated here, so neither its credits nor its slot stay held.
   */
  const start = async (kind: JobKind, jobId: string, begin: () => ReturnType<typeof startChild>): Promise<void> => {
    // the caller has put the job in its slot (an Update before its first yield, or the initial collection from the start)
    const slot = SLOT_OF[kind];
    let child: Awaited<ReturnType<typeof startChild>>;
    try {
      child = await begin();
    } catch (err) {
      ended(slot, jobId);
      throw err;
    }
    const closing = (async () => {
      try {
        await child.result();
      } catch (err) {
        // a cancelled child (this workflow was cancelled, so was the scope it started in) refunded in its own saga
        if (isCancellation(err)) return;
        await compensate(
          kind,
          jobId,
          'ended',
          `the job's workflow closed without finishing: ${failureOf(err).message}`,
        );
      } finally {
        ended(slot, jobId);
        watching.delete(jobId);
      }
    })();
    watching.set(jobId, closing);
  };

  /** The job holding a slot, if any; one whose reservation was refused is over (its row already says so). */
  const occupant = (slot: Slot): ActiveJob | null => {
    if (jobs[slot]?.reservation?.reserved === false) jobs[slot] = null;
    return jobs[slot];
  };

  /**
   * The job running in a slot, if any, once no job in it is settling (one that is closes in a moment): the caller
   * then decides, without yielding, whether to take the slot. Nothing is awaited while no job settles, so a request
   * sees the slot as it is in its own activation; tracking may have stopped during a wait.
   */
  const runningIn = async (slot: Slot, take: (running: ActiveJob | null) => Promise<JobStart>) => {
    for (let job = occupant(slot); job?.settling; job = occupant(slot)) {
      const settling = job;
      await condition(() => jobs[slot] !== settling);
      if (stopped()) throw ApplicationFailure.create({ type: 'stopped', message: 'tracking has been stopped' });
    }
    return take(occupant(slot));
  };

  /** Waits for the child's reservation (a job that could not reserve gives up its slot: see `occupant`). */
  const reservationOf = async (job: ActiveJob, joined: boolean): Promise<JobStart> => {
    await condition(() => job.reservation !== null);
    return { jobId: job.id, joined, ...(job.reservation as NonNullable<ActiveJob['reservation']>) };
  };

  const startCollection = (jobId: string, depth: CollectionDepth) =>
    start('post_collection', jobId, () =>
      startChild(postCollectionWorkflow, {
        workflowId: jobWorkflowId('post_collection', jobId),
        args: [{ ...input(jobId), depth }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: attributesOf('post_collection'),
        staticSummary: `${depth} post collection for ${entity.platform} @${entity.handle}`,
      }),
    );

  const refusedWhenStopped = () => {
    if (stopped()) throw new Error('tracking has been stopped');
  };

  setHandler(
    startCollectionUpdate,
    ({ depth }) =>
      runningIn('collection', async (running) => {
        if (running) {
          return {
            jobId: running.id,
            joined: false,
            reserved: false,
            reason: 'job_in_progress',
            message: `collection ${running.id} is still running for this creator`,
          };
        }
        const job: ActiveJob = { id: uuid4(), reservation: null };
        // the slot is taken before the first yield, so a request arriving in the same activation sees it taken
        jobs.collection = job;
        await startCollection(job.id, depth);
        return reservationOf(job, false);
      }),
    {
      validator: ({ depth }) => {
        refusedWhenStopped();
        if (!COLLECTION_DEPTHS.includes(depth)) throw new Error(`unknown depth ${String(depth)}`);
      },
    },
  );

  setHandler(
    refreshAudienceUpdate,
    () =>
      runningIn('audience', async (running) => {
        if (running) return reservationOf(running, true);
        const job: ActiveJob = { id: uuid4(), reservation: null };
        // the slot is taken before the first yield, so a request arriving in the same activation joins this one
        jobs.audience = job;
        await start('audience_refresh', job.id, () =>
          startChild(audienceRefreshWorkflow, {
            workflowId: jobWorkflowId('audience_refresh', job.id),
            args: [input(job.id)],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: attributesOf('audience_refresh'),
            staticSummary: `audience refresh for ${entity.platform} @${entity.handle}`,
          }),
        );
        return reservationOf(job, false);
      }),
    { validator: refusedWhenStopped },
  );

  return {
    state: jobs,
    /**
     * The collection asked for at POST, once the first cycle has run (its row is already there, pending, and its
     * credits reserved by the registration). Tracking stopped meanwhile: the collection is recorded as failed and its
     * reservation refunded.
     */
    async startInitialCollection() {
      const initial = jobs.initialCollection;
      if (!initial) return;
      jobs.initialCollection = null;
      if (stopped()) {
        await compensate(
          'post_collection',
          initial.id,
          'tracking_stopped',
          'tracking was stopped before the collection could start',
        );
        ended('collection', initial.id);
        return;
      }
      await startCollection(initial.id, initial.depth);
    },
    /** no child job running or waiting to start: a new run would lose nothing by continuing as new */
    idle: () =>
      jobs.collection === null && jobs.audience === null && jobs.initialCollection === null && watching.size === 0,
    /** every child this run started has closed */
    closed: async () => {
      while (watching.size > 0) await Promise.all(watching.values());
    },
  };
}
