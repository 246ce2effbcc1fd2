import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { IdempotencyConflictError } from '../db/ledger';
import { MissingRowError } from '../db/missing-row';
import type { BUG_FAILURE_TYPES } from '../domain/failures';

/** The failure a bug of ours becomes, or undefined for anything else. */
export function bugFailure(err: unknown): ApplicationFailure | undefined {
  const type: (typeof BUG_FAILURE_TYPES)[number] | undefined =
    err instanceof IdempotencyConflictError
      ? 'idempotency_conflict'
      : err instanceof MissingRowError
        ? 'missing_row'
        : undefined;
  return (
    type &&
    ApplicationFailure.create({ type, message: (err as Error).message, nonRetryable: true, cause: err as Error })
  );
}

/**
 * Every activity's errors pass through here: a reused ledger key or a row that must exist and does not fails the step
 * at once (non-retryable) instead of retrying forever under a bookkeeping policy with no attempt limit.
 */
export const bugFailuresInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute: async (input, next) => {
      try {
        return await next(input);
      } catch (err) {
        throw bugFailure(err) ?? err;
      }
    },
  },
});
