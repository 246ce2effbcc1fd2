import { currentActivityContext } from './activity-context';

/**
 * The running activity's cancellation signal (it fires on cancellation, on a timeout and at worker shutdown), or none
 * outside an activity (scripts and tests calling providers directly). Upstream calls follow it, so an attempt Temporal
 * has given up on stops spending quota and actor runs.
 */
export function activityCancellation(): AbortSignal | undefined {
  return currentActivityContext()?.cancellationSignal;
}
