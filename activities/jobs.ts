import { Context } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { capture, InsufficientCreditsError, refund, reserve } from '../db/ledger';
import { jobById, type PaidJobKind } from '../db/jobs';
import { inTransaction } from '../db/transaction';
import type { Platform, PlatformProvider } from '../domain/platform';
import { upsertPosts } from '../db/posts';
import { inRetriedTransaction } from './database-retry';
import { whileHeartbeating } from './heartbeat';
import type { JobReservation } from '../workflows/messages';

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

const ledgerOperation: Record<PaidJobKind, string> = {
  post_collection: 'post_collection',
  audience_refresh: 'audience_refresh',
};

export async function markJob(
  client: Pool | PoolClient,
  jobId: string,
  fields: { status: 'completed' | 'failed'; creditsUsed: number; error?: string; message?: string },
): Promise<void> {
  // a job already terminal keeps its first outcome: a retried or late step cannot rewrite it
  await client.query(
    `UPDATE paid_jobs SET status = $2, credits_used = $3, error = $4, error_message = $5, completed_at = now()
      WHERE id = $1 AND status IN ('pending', 'processing')`,
    [jobId, fields.status, fields.creditsUsed, fields.error ?? null, fields.message ?? null],
  );
}

/** Refunds a reservation unless it was captured already (then there is nothing left to compensate). */
async function refundUnlessCaptured(client: PoolClient, reservationKey: string, refundKey: string, what: string) {
  const settled = await client.query<{ kind: string }>('SELECT kind FROM credit_ledger WHERE settles = $1', [
    reservationKey,
  ]);
  if (settled.rows[0]?.kind === 'capture') return 'captured' as const;
  return (await refund(client, reservationKey, refundKey, what)).settled;
}

/** A job row's first seven columns: id, kind, team, creator, depth, max videos, credits reserved. */
const jobColumns = (input: ReserveJobInput) => [
  input.jobId,
  input.kind,
  input.teamId,
  input.creatorId,
  input.depth ?? null,
  input.maxVideos ?? null,
  input.amountCents,
];

/**
 * The saga steps shared by post collections and audience refreshes (reserve → work → capture, refund on failure),
 * each one idempotent under its ledger key, and the collection's own work.
 */
export function createJobActivities({ pool, provider }: { pool: Pool; provider: PlatformProvider }) {
  return {
    /**
     * Reserves the job's credits and marks it processing, in one transaction. A balance that cannot pay, or another
     * job of the kind already running for the creator, marks this one failed and reserves nothing.
     */
    async reserveJob(input: ReserveJobInput): Promise<JobReservation> {
      // a refusal already recorded stands: a retry after a top-up must not reserve for a job shown as failed
      const recorded = await pool.query<{ status: string; error: JobRefusal; error_message: string }>(
        'SELECT status, error, error_message FROM paid_jobs WHERE id = $1',
        [input.jobId],
      );
      const previous = recorded.rows[0];
      if (previous?.status === 'failed') {
        return { reserved: false, reason: previous.error, message: previous.error_message };
      }
      try {
        await inTransaction(pool, async (client) => {
          await client.query(
            `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved,
                                    started_at)
             VALUES ($1, $2, $3, $4, 'processing', $5, $6, $7, now())
             ON CONFLICT (id) DO UPDATE SET status = 'processing', started_at = COALESCE(paid_jobs.started_at, now())
              WHERE paid_jobs.status = 'pending'`,
            jobColumns(input),
          );
          await reserve(client, {
            teamId: input.teamId,
            amountCents: input.amountCents,
            idempotencyKey: input.reservationKey,
            operation: ledgerOperation[input.kind],
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
        await pool.query(
          `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved,
                                  credits_used, error, error_message, started_at, completed_at)
           VALUES ($1, $2, $3, $4, 'failed', $5, $6, $7, 0, $8, $9, now(), now())
           ON CONFLICT (id) DO UPDATE SET status = 'failed', credits_used = 0, error = $8, error_message = $9,
             completed_at = now() WHERE paid_jobs.status IN ('pending', 'processing')`,
          [...jobColumns(input), failure.reason, failure.message],
        );
        return { reserved: false, ...failure };
      }
    },

    /**
     * Captures the reservation and ends the job in one transaction: completed, or failed with the charge kept when
     * the failure is one the price covers (an audience refresh that hit a platform error). A retry changes nothing.
     */
    async captureJob(input: SettleJobInput & { failure?: { error: string; message: string } }): Promise<void> {
      await inTransaction(pool, async (client) => {
        const job = await jobById(client, input.jobId);
        await capture(client, input.reservationKey, input.settleKey);
        await markJob(client, input.jobId, {
          status: input.failure ? 'failed' : 'completed',
          creditsUsed: job.credits_reserved,
          error: input.failure?.error,
          message: input.failure?.message,
        });
      });
    },

    /**
     * The compensation: gives the reservation back (if there was one and it was not captured) and records the
     * failure, in one transaction. Safe to run whatever happened before, as often as needed.
     */
    async compensateJob(input: CompensateJobInput): Promise<{ refunded: boolean }> {
      return inTransaction(pool, async (client) => {
        const outcome = await refundUnlessCaptured(
          client,
          input.reservationKey,
          input.settleKey,
          `${input.kind.replace('_', ' ')} ${input.jobId} failed: ${input.error}`,
        );
        if (outcome !== 'captured') {
          await markJob(client, input.jobId, {
            status: 'failed',
            creditsUsed: 0,
            error: input.error,
            message: input.message,
          });
        }
        return { refunded: outcome === 'now' || outcome === 'already' };
      });
    },

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
              await client.query(
                'UPDATE paid_jobs SET videos_collected = GREATEST(videos_collected, $2) WHERE id = $1',
                [input.jobId, collected],
              );
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
