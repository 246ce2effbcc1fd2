import { log } from '@temporalio/activity';
import { currentActivityContext } from './activity-context';
import type { Pool, PoolClient } from 'pg';
import { untilDatabaseAnswers } from '../db/availability';
import { inTransaction } from '../db/transaction';

/**
 * Left of the attempt's start-to-close time when waiting stops, so the activity fails with the cause, not a timeout:
 * room for one more try to connect (10 s) and run its query (60 s), db/pool.ts.
 */
const DEADLINE_MARGIN_MS = 75_000;

/**
 * Runs the database part of a platform activity until the database answers. Those activities retry only a few times
 * (a platform's patience), so an outage would fail the cycle and, retried whole, repeat paid upstream calls; waiting
 * here, around the database work alone, keeps both out of it. Bounded by the attempt's remaining time and stopped by
 * its cancellation. Outside an activity (tests calling the function directly) `work` runs once.
 */
export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  const ctx = currentActivityContext();
  if (!ctx) return work();
  const { currentAttemptScheduledTimestampMs, startToCloseTimeoutMs, activityType } = ctx.info;
  return untilDatabaseAnswers(work, {
    deadline: currentAttemptScheduledTimestampMs + startToCloseTimeoutMs - DEADLINE_MARGIN_MS,
    signal: ctx.cancellationSignal,
    onRetry: (err, attempt, delayMs) =>
      log.warn(`${activityType}: the database did not answer; retrying`, {
        attempt,
        delayMs,
        error: err instanceof Error ? err.message : String(err),
      }),
  });
}

/** `inTransaction` under `withDatabase`: the whole transaction runs again once the database answers. */
export function inRetriedTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withDatabase(() => inTransaction(pool, work));
}
