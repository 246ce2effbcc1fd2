import { Context } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { audienceCompletedData, audienceFailedData, collectionEndedData } from '../api/schemas/events';
import { recordEvent } from '../db/events';
import { capture, InsufficientCreditsError, refundUnlessCaptured, reserve } from '../db/ledger';
import {
  audienceSnapshotById,
  finishJob,
  jobById,
  jobFailure,
  recordCollectionProgress,
  refuseJob,
  startJob,
  type NewPaidJob,
  type PaidJobKind,
  type PaidJobRow,
} from '../db/jobs';
import { inTransaction } from '../db/transaction';
import type { Platform, PlatformProvider } from '../domain/platform';
import { upsertPosts } from '../db/posts';
import { inRetriedTransaction } from './database-retry';
import { whileHeartbeating } from './heartbeat';
import type { JobReservation } from '../workflows/messages';
import { jobs } from '../telemetry/business-metrics';

const UNIQUE_VIOLATION = '23505';

type JobRefusal = Extract<JobReservation, { reserved: false }>['reason'];

export interface PaidJobRef {
  jobId: string;
  kind: PaidJobKind;
  teamId: string;
  creatorId: string;
}

export interface ReserveJobInput extends PaidJobRef {
  amountCents: number;
  reservationKey: string;
  depth?: string;
  maxVideos?: number;
}

export interface SettleJobInput extends PaidJobRef {
  reservationKey: string;
  settleKey: string;
}

export interface CompensateJobInput extends SettleJobInput {
  error: string;
  message: string;
}

export interface CollectPostsInput {
  jobId: string;
  creatorId: string;
  platform: Platform;
  handle: string;
  maxVideos: number;
}

/** Where a collection stands; an activity retried after a worker died resumes from its last heartbeat. */
interface CollectProgress {
  cursor: string | null;
  collected: number;
}

/** Collection pages: the providers' largest page size, so a `full` collection is 10 requests. */
export const COLLECTION_PAGE_SIZE = 50;

/** Refunds a reservation unless it was captured already (then there is nothing left to compensate). */
/**
 * Records the event of a job's end — `posts.collection.completed` / `.failed`, `audience.snapshot.completed` /
 * `.failed` — in the transaction that ended it. Called only by the step that ended the row (`finishJob` or
 * `refuseJob` returned it), and keyed by job and outcome, so each job records exactly one end event however often a
 * step is retried.
 */
export async function recordJobEnd(client: PoolClient, job: PaidJobRow): Promise<void> {
  if (job.status !== 'completed' && job.status !== 'failed') throw new Error(`job ${job.id} has not ended`);
  jobs.inc({ type: job.kind, outcome: job.status });
  const common = { teamId: job.team_id, resourceType: 'creator' as const, resourceId: job.tracking_account_id };
  if (job.kind === 'post_collection') {
    await recordEvent(client, {
      ...common,
      key: `collection:${job.id}:${job.status}`,
      type: job.status === 'completed' ? 'posts.collection.completed' : 'posts.collection.failed',
      data: collectionEndedData(job),
    });
    return;
  }
  if (job.status === 'failed') {
    await recordEvent(client, {
      ...common,
      key: `audience:${job.id}:failed`,
      type: 'audience.snapshot.failed',
      data: audienceFailedData(job),
    });
    return;
  }
  const snapshot = job.snapshot_id ? await audienceSnapshotById(client, job.snapshot_id) : undefined;
  if (!snapshot) throw new Error(`audience refresh ${job.id} completed without a snapshot`);
  await recordEvent(client, {
    ...common,
    key: `audience:${job.id}:completed`,
    type: 'audience.snapshot.completed',
    data: audienceCompletedData(job, snapshot),
  });
}

/** The job row a reservation records. */
const paidJob = (input: ReserveJobInput): NewPaidJob => ({
  id: input.jobId,
  kind: input.kind,
  teamId: input.teamId,
  creatorId: input.creatorId,
  depth: input.depth ?? null,
  maxVideos: input.maxVideos ?? null,
  creditsReserved: input.amountCents,
});

/**
 * The saga steps shared by post collections and audience refreshes (reserve → work → capture, refund on failure),
 * each one idempotent under its ledger key, and the collection's own work.
 */
/**
 * A paid job's compensation: its reservation refunded unless captured, and its row ended failed (with its end event).
 * The saga's own step, the creator workflow's for a child that closed without finishing, and the reconciler's for a
 * job whose workflows are both gone.
 */
export function compensateJob(pool: Pool, input: CompensateJobInput): Promise<{ refunded: boolean }> {
  return inTransaction(pool, async (client) => {
    const outcome = await refundUnlessCaptured(
      client,
      input.reservationKey,
      input.settleKey,
      `${input.kind.replace('_', ' ')} ${input.jobId} failed: ${input.error}`,
    );
    if (outcome !== 'captured') {
      const ended = await finishJob(client, input.jobId, {
        status: 'failed',
        creditsUsed: 0,
        error: input.error,
        message: input.message,
      });
      if (ended) await recordJobEnd(client, ended);
    }
    return { refunded: outcome === 'now' || outcome === 'already' };
  });
}

export function createJobActivities({ pool, provider }: { pool: Pool; provider: PlatformProvider }) {
  return {
    /**
     * Reserves the job's credits and marks it processing, in one transaction. A balance that cannot pay, or another
     * job of the kind already running for the creator, marks this one failed and reserves nothing.
     */
    async reserveJob(input: ReserveJobInput): Promise<JobReservation> {
      // a refusal already recorded stands: a retry after a top-up must not reserve for a job shown as failed
      const previous = await jobFailure(pool, input.jobId);
      if (previous) return { reserved: false, reason: previous.error as JobRefusal, message: previous.message };
      try {
        await inTransaction(pool, async (client) => {
          await startJob(client, paidJob(input));
          await reserve(client, {
            teamId: input.teamId,
            amountCents: input.amountCents,
            idempotencyKey: input.reservationKey,
            // the ledger names the operation as the job names its kind
            operation: input.kind,
            resourceType: 'creator',
            resourceId: input.creatorId,
            description: `${input.kind.replace('_', ' ')} ${input.jobId}${input.depth ? ` (${input.depth})` : ''}`,
          });
        });
        return { reserved: true };
      } catch (err) {
        const failure =
          err instanceof InsufficientCreditsError
            ? { reason: 'insufficient_credits' as const, message: err.message }
            : (err as { code?: string }).code === UNIQUE_VIOLATION
              ? {
                  reason: 'job_in_progress' as const,
                  message: `another ${input.kind.replace('_', ' ')} is already running for this creator`,
                }
              : null;
        if (failure === null) throw err;
        // a refusal ends the job too: failed, nothing charged, and its end recorded like any other
        await inTransaction(pool, async (client) => {
          const ended = await refuseJob(client, paidJob(input), { error: failure.reason, message: failure.message });
          if (ended) await recordJobEnd(client, ended);
        });
        return { reserved: false, ...failure };
      }
    },

    /**
     * Captures the reservation, ends the job and records its end event in one transaction: completed, or failed with
     * the charge kept when the failure is one the price covers (an audience refresh that hit a platform error). A
     * retry changes nothing.
     */
    async captureJob(input: SettleJobInput & { failure?: { error: string; message: string } }): Promise<void> {
      await inTransaction(pool, async (client) => {
        const job = await jobById(client, input.jobId);
        await capture(client, input.reservationKey, input.settleKey);
        const ended = await finishJob(client, input.jobId, {
          status: input.failure ? 'failed' : 'completed',
          creditsUsed: job.credits_reserved,
          error: input.failure?.error,
          message: input.failure?.message,
        });
        if (ended) await recordJobEnd(client, ended);
      });
    },

    /**
     * The compensation: gives the reservation back (if there was one and it was not captured), records the failure
     * and its end event, in one transaction. Safe to run whatever happened before, as often as needed: a job that
     * had already ended keeps its outcome and its one end event.
     */
    compensateJob: (input: CompensateJobInput): Promise<{ refunded: boolean }> => compensateJob(pool, input),

    /**
     * Pages through the creator's posts up to the depth's maximum, upserting each page (by platform video id, so a
     * page read twice adds nothing) and heartbeating its progress; a retry resumes after the last page recorded.
     */
    async collectPosts(input: CollectPostsInput): Promise<{ videosCollected: number }> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as CollectProgress | undefined;
      let progress: CollectProgress = resumed ?? { cursor: null, collected: 0 };
      // a slow page must not look like a dead worker
      return whileHeartbeating(
        () => progress,
        async () => {
          while (progress.collected < input.maxVideos) {
            const page = await provider.listPosts(input.platform, input.handle, {
              limit: Math.min(COLLECTION_PAGE_SIZE, input.maxVideos - progress.collected),
              cursor: progress.cursor,
              total: input.maxVideos,
            });
            const collected = progress.collected + page.posts.length;
            // heartbeats go on while this waits for the database: the wait is not a dead worker
            await inRetriedTransaction(pool, async (client) => {
              await upsertPosts(client, input.creatorId, page.posts);
              await recordCollectionProgress(client, input.jobId, collected);
            });
            progress = { cursor: page.next_cursor, collected };
            ctx.heartbeat(progress);
            if (page.next_cursor === null || page.posts.length === 0) break;
          }
          return { videosCollected: progress.collected };
        },
      );
    },
  };
}
