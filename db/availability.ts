/**
 * Telling "the database did not answer" apart from every other database error, and waiting out the first kind.
 * A connection error says nothing about the work itself: the same statement will succeed once the server is back.
 * Constraint violations, syntax errors and bugs say something about the work, and are never retried here.
 */

/** SQLSTATEs of a server that is going away or not there yet (class 08 is matched as a whole). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_ctl stop -m fast, or a terminated backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections: a restart's reconnect storm
]);

const UNAVAILABLE_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // a compose service name stops resolving while its container is down
  'ENOTFOUND',
]);

/** What `pg` and `pg-pool` say, without a code, when a connection ends or cannot be had in time. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  // the pool's query_timeout: a connection that went half-open without a word
  /^Query read timeout$/,
  /is not queryable$/,
];

/** Whether `err` means the database could not be reached or dropped the connection, rather than refused the work. */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const { code, message, errors, cause } = err as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (code.length === 5 && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))) return true;
    if (UNAVAILABLE_SYSCALL_CODES.has(code)) return true;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node's happy-eyeballs connect reports one error per address tried in an AggregateError
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isConnectionError(e, depth + 1))) return true;
  return isConnectionError(cause, depth + 1);
}

export interface AvailabilityOptions {
  /** epoch ms after which the last connection error is thrown instead of waited out */
  deadline?: number;
  /** stops waiting (the last error is thrown) when aborted */
  signal?: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  now?: () => number;
}

/**
 * Runs `work`, and again after a growing pause whenever it fails with a connection error, until it succeeds, fails
 * otherwise, or the deadline or signal says to stop. `work` must be safe to repeat (a transaction, an upsert, a read).
 */
export async function untilDatabaseAnswers<T>(work: () => Promise<T>, options: AvailabilityOptions = {}): Promise<T> {
  const { deadline, signal, initialDelayMs = 250, maxDelayMs = 5_000, onRetry, now = Date.now } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isConnectionError(err) || signal?.aborted) throw err;
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      if (deadline !== undefined && now() + delayMs >= deadline) throw err;
      onRetry?.(err, attempt, delayMs);
      if (!(await pause(delayMs, signal))) throw err;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (elapsed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(elapsed);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
