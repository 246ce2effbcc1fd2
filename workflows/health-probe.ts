import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { recordHealthProbe } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** One round trip through a worker and Postgres: the activity writes a row keyed by this run, the API reads it back. */
export async function healthProbeWorkflow(): Promise<string> {
  const { runId } = workflowInfo();
  await recordHealthProbe(runId);
  return runId;
}
