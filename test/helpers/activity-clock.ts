import { Context } from '@temporalio/activity';

/**
 * A clock for the simulated provider that reads the server's time of the running activity attempt, so on the
 * time-skipping server a video ages through simulated weeks instead of the seconds the test really takes.
 */
export function activityClock(): Date {
  return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
}
