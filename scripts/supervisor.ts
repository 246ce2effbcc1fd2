/**
 * When `npm start` restarts a crashed API or worker, and when it gives up. Pure: the caller passes the clock in and
 * does the spawning, so the policy is testable without processes.
 */
export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** a process that stayed up this long is healthy again: its next crash starts the backoff from the first delay */
  resetAfterMs: number;
  /** this many crashes within windowMs means restarting is not helping */
  maxCrashes: number;
  windowMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
  maxCrashes: 5,
  windowMs: 120_000,
};

export interface RestartHistory {
  /** restarts since the process last stayed up resetAfterMs; sets the next delay */
  streak: number;
  /** when recent crashes happened, oldest first, only those inside the window */
  crashTimes: number[];
}

export const freshHistory: RestartHistory = { streak: 0, crashTimes: [] };

export type Decision =
  | { action: 'restart'; delayMs: number; restart: number; history: RestartHistory }
  | { action: 'give-up'; reason: string; history: RestartHistory };

/** What to do about a process that started at startedAt and exited at now. */
export function decide(
  history: RestartHistory,
  startedAt: number,
  now: number,
  policy: RestartPolicy = defaultRestartPolicy,
): Decision {
  const crashTimes = [...history.crashTimes.filter((t) => now - t < policy.windowMs), now];
  const streak = (now - startedAt >= policy.resetAfterMs ? 0 : history.streak) + 1;
  const next: RestartHistory = { streak, crashTimes };
  if (crashTimes.length >= policy.maxCrashes) {
    return {
      action: 'give-up',
      reason: `${crashTimes.length} crashes within ${formatDuration(policy.windowMs)}`,
      history: next,
    };
  }
  // capped before shifting: a long streak must not overflow into a zero or negative delay
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(streak - 1, 30));
  return { action: 'restart', delayMs, restart: streak, history: next };
}

export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
