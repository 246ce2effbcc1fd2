import { currentActivityContext } from './activity-context';

/** How often a long activity heartbeats, well inside the workflows' 10-second heartbeat timeouts. */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Runs `work`, heartbeating `details()` on an interval meanwhile: a slow upstream call (an actor run, a model) is not
 * a dead worker, while a worker that really died is noticed within the heartbeat timeout instead of the activity's
 * whole start-to-close time. Outside an activity (a test calling the function directly) `work` just runs.
 */
export async function whileHeartbeating<T>(details: () => unknown, work: () => Promise<T>): Promise<T> {
  const ctx = currentActivityContext();
  if (!ctx) return work();
  const timer = setInterval(() => ctx.heartbeat(details()), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** An activity function that heartbeats while it runs (no progress details: a retry starts it over). */
export const heartbeating =
  <Args extends unknown[], R>(activity: (...args: Args) => Promise<R>) =>
  (...args: Args): Promise<R> =>
    whileHeartbeating(
      () => undefined,
      () => activity(...args),
    );
