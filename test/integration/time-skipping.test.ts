import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createPool } from '../../db/pool';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import { SimulatedProvider } from '../../providers/simulated';
import { sharedWorkflowBundle, testDatabaseUrl } from '../helpers/env';
import { createTimeSkippingEnv } from '../helpers/time-skipping';

describe('time-skipping test server', () => {
  it('starts from the installed binary and runs a workflow whose activity writes to Postgres', async () => {
    const env = await createTimeSkippingEnv();
    const pool = createPool(testDatabaseUrl(), 2);
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'time-skipping-smoke',
        workflowBundle: sharedWorkflowBundle(),
        activities: createActivities({
          pool,
          provider: new SimulatedProvider(),
          reportGenerator: heuristicCreatorReportGenerator,
        }),
      });
      const runId = await worker.runUntil(
        env.client.workflow.execute('healthProbeWorkflow', {
          taskQueue: 'time-skipping-smoke',
          workflowId: 'time-skipping-probe',
        }) as Promise<string>,
      );
      const row = await pool.query('SELECT 1 FROM health_probes WHERE run_id = $1', [runId]);
      expect(row.rowCount).toBe(1);
    } finally {
      await pool.end();
      await env.teardown();
    }
  });
});
