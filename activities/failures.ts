import { ApplicationFailure } from '@temporalio/activity';
import { IdempotencyConflictError } from '../db/ledger';
import { MissingRowError } from '../db/missing-row';
import type { BUG_FAILURE_TYPES } from '../domain/failures';
import { ProviderError, SourceConfigError } from '../domain/platform';

/**
 * What an error thrown by an activity becomes for Temporal: a provider's typed outcome (permanent kinds not retried,
 * a 429 waiting as the upstream asked), `misconfigured` for a source refusing our key, and a non-retryable failure for
 * our own bugs (a reused ledger key, a row that must exist and does not), which would otherwise retry forever under
 * the bookkeeping policy. Anything else (a database outage, a plain error) is left to the retry policy.
 */
export function activityFailure(err: unknown): unknown {
  if (err instanceof ProviderError) {
    return ApplicationFailure.create({
      type: err.kind,
      message: err.message,
      nonRetryable: err.permanent,
      nextRetryDelay: err.retryAfterSeconds !== undefined ? `${err.retryAfterSeconds} seconds` : undefined,
    });
  }
  if (err instanceof SourceConfigError) {
    return ApplicationFailure.create({ type: 'misconfigured', message: err.message, nonRetryable: true });
  }
  const bug: (typeof BUG_FAILURE_TYPES)[number] | undefined =
    err instanceof IdempotencyConflictError
      ? 'idempotency_conflict'
      : err instanceof MissingRowError
        ? 'missing_row'
        : undefined;
  return bug ? ApplicationFailure.create({ type: bug, message: (err as Error).message, nonRetryable: true }) : err;
}

type Activity = (...args: never[]) => Promise<unknown>;

/** The activities with every error they throw passed through `activityFailure`, whichever step threw it. */
export function withTypedFailures<T extends Record<string, Activity>>(activities: T): T {
  const wrapped: Record<string, Activity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw activityFailure(err);
      }
    };
  }
  return wrapped as T;
}
