import {
  defaultGrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  Connection,
  type Client,
  type ConnectionOptions,
} from '@temporalio/client';
import { isConnectionError } from '../db/availability';

/**
 * How long one API request may wait on a Temporal that answers: an Update waits for a worker to run it, and a worker
 * that is starting or busy is not an outage. Past it the call ends with DEADLINE_EXCEEDED and the caller gets a 503.
 */
export const TEMPORAL_DEADLINE_MS = 20_000;

/**
 * How long the client keeps retrying a Temporal it cannot reach at all (UNAVAILABLE): without a bound the SDK's retry
 * interceptor tries for about 20 s; an unreachable server is an outage to report at once, with a short grace for a
 * blip.
 */
export const TEMPORAL_UNREACHABLE_BUDGET_MS = 3_000;

/** What a refused request tells the client to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;

export interface Outage {
  dependency: 'Postgres' | 'Temporal';
  /** for the log line only: an error code or gRPC status name, never a host */
  reason: string;
}

/** Runs `work` (Temporal client calls) under the API's deadline. */
export const withTemporalDeadline = <T>(temporal: Client, work: () => Promise<T>): Promise<T> =>
  temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, work);

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The SDK's default retry interceptor, except that no backoff sleeps past the call's deadline (the default one can
 * wait up to 5 s before a retry that then fails at once) and an unreachable server is retried only briefly.
 */
export function deadlineBoundRetryInterceptor(): GrpcInterceptor {
  const defaults = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? Infinity : Number(options.deadline);
    const started = Date.now();
    return makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) =>
        defaults.retryableDecider(attempt, status) &&
        !(status.code === GRPC_UNAVAILABLE && Date.now() - started >= TEMPORAL_UNREACHABLE_BUDGET_MS),
      delayFunction: (attempt, status) =>
        Math.max(0, Math.min(defaults.delayFunction(attempt, status), deadline - Date.now())),
    })(options, nextCall);
  };
}

/**
 * The API's connection to Temporal: lazy, so the API starts (and /healthz reports it) while Temporal is still coming
 * up, with the retry interceptor that keeps an outage's answer within the API's bounds.
 */
export const apiTemporalConnection = (options: ConnectionOptions): Connection =>
  Connection.lazy({ ...options, interceptors: [deadlineBoundRetryInterceptor()] });

const GRPC_UNAVAILABLE = 14;

const GRPC_OUTAGE_STATUSES: Record<number, string> = {
  4: 'DEADLINE_EXCEEDED',
  8: 'RESOURCE_EXHAUSTED',
  14: 'UNAVAILABLE',
};

function temporalOutage(err: unknown): Outage | undefined {
  const grpc = err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ? err.cause : err;
  if (isGrpcServiceError(grpc)) {
    const reason = GRPC_OUTAGE_STATUSES[grpc.code];
    if (reason) return { dependency: 'Temporal', reason };
  }
  // an Update that did not come back in time (its deadline, or a cancelled call) is the engine not answering
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { dependency: 'Temporal', reason: 'timeout' };
  if (isGrpcServiceError(grpc)) return undefined;
  return undefined;
}

function postgresOutage(err: unknown): Outage | undefined {
  if (!isConnectionError(err)) return undefined;
  const { code } = err as { code?: unknown };
  return { dependency: 'Postgres', reason: typeof code === 'string' ? code : 'connection lost' };
}

/** Whether `err` means Postgres or Temporal is unreachable (or not answering in time), rather than a bad request or bug. */
export function outageOf(err: unknown): Outage | undefined {
  return temporalOutage(err) ?? postgresOutage(err);
}
