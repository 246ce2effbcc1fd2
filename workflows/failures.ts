import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { isFailureKind } from '../domain/failures';

/**
 * The failure kind recorded for a failed cycle: a provider's typed outcome, `misconfigured`, a timeout, or `error` for
 * anything else (an exception's class name, such as `Error` or `DatabaseError`, is not a kind anyone documents).
 */
export function failureOf(err: unknown): { kind: string; message: string } {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    const kind = cause.type && isFailureKind(cause.type) ? cause.type : 'error';
    return { kind, message: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    return { kind: 'timeout', message: cause.message || 'the step did not finish within its time limit' };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}
