import { ParentClosePolicy, condition, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { COLLECTION_DEPTHS, type CollectionDepth } from '../domain/costs';
import {
  jobFinishedSignal,
  jobReservedSignal,
  refreshAudienceUpdate,
  startCollectionUpdate,
  type ActiveJob,
  type CreatorJobs,
  type JobStart,
  type TrackingState,
} from './messages';
import { bookkeeping } from './activity-options';
import {
  audienceRefreshWorkflow,
  jobKeys,
  jobWorkflowId,
  postCollectionWorkflow,
  type PaidJobInput,
} from './paid-jobs';
import { failureOf } from './tracked-entity';

type ChildHandle = Awaited<ReturnType<typeof startChild>>;

export const noCreatorJobs = (): CreatorJobs => ({ collection: null, audience: null, initialCollection: null });

/**
 * The creator workflow's side of its paid child jobs. Both are started by Updates, so the caller learns at once
 * whether the credits were reserved (402) — the child reserves first and signals the outcome back. At most one job of
 * each kind runs per creator: a second collection request is refused with the running one's id (the API answers
 * 409), a second audience refresh joins the running one (same job id, no second charge). The children are abandoned
 * when this workflow continues as new or stops, so a paid job always runs to its end.
 */
export function installCreatorJobs(state: TrackingState): { startInitialCollection(): Promise<void>; idle(): boolean } {
  const jobs = (state.jobs ??= noCreatorJobs());
  const parentWorkflowId = workflowInfo().workflowId;
  const input = (jobId: string): PaidJobInput => ({
    jobId,
    teamId: state.teamId,
    creatorId: state.id,
    platform: state.platform,
    handle: state.handle,
    parentWorkflowId,
  });
  const find = (jobId: string): ActiveJob | undefined =>
    [jobs.collection, jobs.audience].find((job) => job !== null && job.id === jobId) ?? undefined;

  setHandler(jobReservedSignal, ({ jobId, reservation }) => {
    const job = find(jobId);
    if (job) job.reservation = reservation;
  });
  /** Frees the slot a job holds. */
  const release = (job: ActiveJob): void => {
    if (jobs.collection === job) jobs.collection = null;
    if (jobs.audience === job) jobs.audience = null;
  };
  /** A job is over: callers still waiting on its reservation learn it ended without one, and the slot is free. */
  const finished = (jobId: string): void => {
    const job = find(jobId);
    if (!job) return;
    job.reservation ??= { reserved: false, reason: 'ended', message: `job ${jobId} ended before reserving credits` };
    release(job);
  };

  /** The saga's compensation for a job, run from here: refund unless captured, and the row marked failed. */
  const compensate = (kind: 'post_collection' | 'audience_refresh', jobId: string, error: string, message: string) => {
    const keys = jobKeys(jobWorkflowId(kind, jobId));
    return bookkeeping.compensateJob({
      jobId,
      kind,
      teamId: state.teamId,
      creatorId: state.id,
      reservationKey: keys.reservationKey,
      settleKey: keys.refundKey,
      error,
      message,
    });
  };
  setHandler(jobFinishedSignal, ({ jobId }) => finished(jobId));

  /**
   * Starts a child job and watches it: a child that closes without saying so (terminated, timed out) is compensated
   * here — refund unless captured, row marked failed — so neither its credits nor its slot stay held.
   */
  const startJob = async (
    kind: 'post_collection' | 'audience_refresh',
    jobId: string,
    start: () => Promise<ChildHandle>,
  ) => {
    const child = await start();
    void child.result().then(
      () => finished(jobId),
      async (err: unknown) => {
        await compensate(
          kind,
          jobId,
          'ended',
          `the job's workflow closed without finishing: ${failureOf(err).message}`,
        );
        finished(jobId);
      },
    );
  };

  /**
   * The job running in a slot, if any. A job's end is written to Postgres a moment before its finished signal
   * arrives, so a slot whose job reserved is checked there: a request in that moment must not be refused or joined to
   * a job that is over. Another request may fill the slot while this one looks; the answer is the slot as it is then.
   */
  const runningIn = async (slot: 'collection' | 'audience'): Promise<ActiveJob | null> => {
    const seen = jobs[slot];
    if (seen?.reservation?.reserved && !(await bookkeeping.isJobActive({ jobId: seen.id }))) finished(seen.id);
    return jobs[slot];
  };

  /** Waits for the child's reservation; a job that could not reserve is no longer the running one. */
  const reservationOf = async (job: ActiveJob, joined: boolean): Promise<JobStart> => {
    await condition(() => job.reservation !== null);
    const reservation = job.reservation as NonNullable<ActiveJob['reservation']>;
    if (!reservation.reserved) release(job);
    return { jobId: job.id, joined, ...reservation };
  };

  const startCollection = async (jobId: string, depth: CollectionDepth): Promise<ActiveJob> => {
    const job: ActiveJob = { id: jobId, reservation: null };
    jobs.collection = job;
    await startJob('post_collection', jobId, () =>
      startChild(postCollectionWorkflow, {
        workflowId: jobWorkflowId('post_collection', jobId),
        args: [{ ...input(jobId), depth }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `${depth} post collection for ${state.platform} @${state.handle}`,
      }),
    );
    return job;
  };

  const refusedWhenStopped = () => {
    if (state.status === 'stopped') throw new Error('tracking has been stopped');
  };

  setHandler(
    startCollectionUpdate,
    async ({ depth }) => {
      const refused = (running: ActiveJob): JobStart => ({
        jobId: running.id,
        joined: false,
        reserved: false,
        reason: 'job_in_progress',
        message: `collection ${running.id} is still running for this creator`,
      });
      // an empty slot is taken without yielding, so a request arriving in the same activation sees it taken
      const running = jobs.collection && (await runningIn('collection'));
      if (running) return refused(running);
      return reservationOf(await startCollection(uuid4(), depth), false);
    },
    {
      validator: ({ depth }) => {
        refusedWhenStopped();
        if (!COLLECTION_DEPTHS.includes(depth)) throw new Error(`unknown depth ${String(depth)}`);
      },
    },
  );

  setHandler(
    refreshAudienceUpdate,
    async () => {
      // an empty slot is taken without yielding, so a request arriving in the same activation joins this one
      const running = jobs.audience && (await runningIn('audience'));
      if (running) return reservationOf(running, true);
      const jobId = uuid4();
      const job: ActiveJob = { id: jobId, reservation: null };
      jobs.audience = job;
      await startJob('audience_refresh', jobId, () =>
        startChild(audienceRefreshWorkflow, {
          workflowId: jobWorkflowId('audience_refresh', jobId),
          args: [input(jobId)],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `audience refresh for ${state.platform} @${state.handle}`,
        }),
      );
      return reservationOf(job, false);
    },
    { validator: refusedWhenStopped },
  );

  return {
    /**
     * The collection asked for at POST, once the first cycle has run (its row is already there, pending). Tracking
     * stopped meanwhile: the collection is recorded as failed, and nothing was reserved for it.
     */
    async startInitialCollection() {
      const initial = jobs.initialCollection;
      if (!initial) return;
      jobs.initialCollection = null;
      if (state.status === 'stopped') {
        await compensate(
          'post_collection',
          initial.id,
          'tracking_stopped',
          'tracking was stopped before the collection could start',
        );
        finished(initial.id);
        return;
      }
      await startCollection(initial.id, initial.depth);
    },
    /** no child job running or waiting to start: a new run would lose nothing by continuing as new */
    idle: () => jobs.collection === null && jobs.audience === null && jobs.initialCollection === null,
  };
}
