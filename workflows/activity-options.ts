import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { PROVIDER_FAILURES } from '../domain/platform';

type Activities = ReturnType<typeof createActivities>;

/** Steps that read the platform: a few quick retries, then the cycle fails with the provider's typed reason. */
export const platform = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumAttempts: 3,
    nonRetryableErrorTypes: PROVIDER_FAILURES.filter((kind) => kind !== 'rate_limited' && kind !== 'unavailable'),
  },
});

/** Bookkeeping in Postgres: idempotent, so retried until the database answers (an outage must not fail a cycle). */
export const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
