import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createPool } from '../../db/pool';
import { requireEnv, sharedWorkflowBundle, testDatabaseUrl } from '../helpers/stack';

describe('time-skipping test server', () => {
  it('starts from the installed binary and runs a workflow whose activity writes to Postgres', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_PATH') } },
    });
    const pool = createPool(testDatabaseUrl(), 2);
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'time-skipping-smoke',
        workflowBundle: sharedWorkflowBundle(),
        activities: createActivities({ pool }),
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
