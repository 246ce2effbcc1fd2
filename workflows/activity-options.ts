import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { BUG_FAILURE_TYPES, FAILURE_KINDS, isPermanent } from '../domain/failures';

type Activities = ReturnType<typeof createActivities>;

/** Reading a platform: a few quick retries, except for outcomes a retry cannot change (private, deleted, …). */
export const platformRetry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumAttempts: 3,
  nonRetryableErrorTypes: [...FAILURE_KINDS.filter(isPermanent), ...BUG_FAILURE_TYPES],
};

/** Steps that read the platform (an Apify actor run can take a minute): a few retries, then the typed reason. */
// 10 minutes: PLATFORM_ACTIVITY_SECONDS in domain/config.ts, which refuses source timeouts that cannot fit in it. The
// activities heartbeat, so a worker lost mid-step is noticed in 10 seconds rather than at the end of those 10 minutes.
export const platform = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: platformRetry,
});

/** Bookkeeping in Postgres: idempotent, so retried until the database answers (an outage must not fail a cycle). */
export const bookkeepingOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} satisfies ActivityOptions;
export const bookkeeping = proxyActivities<Activities>(bookkeepingOptions);

/**
 * The same bookkeeping as local activities, for the short database steps a tracking cycle takes (registration, the
 * outlier check that completes a cycle, a failed cycle's refund, a state write): run by the worker that runs the
 * workflow, inside its workflow task, and recorded as one marker event instead of an activity's three events and the
 * workflow task that follows. Retried like the rest of bookkeeping until the database answers.
 */
export const localBookkeeping = proxyLocalActivities<Activities>(bookkeepingOptions);
