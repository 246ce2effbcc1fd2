/**
 * A worker in its own process, so a test can kill it with SIGKILL mid-activity: no graceful shutdown, no reported
 * failure, exactly what a crashed machine looks like to Temporal. Configured by the environment:
 * DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, TEST_WORKFLOW_BUNDLE, SIMULATED_LATENCY_MS and
 * WEBHOOK_ALLOW_INSECURE_LOOPBACK.
 * Prints "ready" once it polls.
 */
import { NativeConnection } from '@temporalio/worker';
import { createPool } from '../../db/pool';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import { SimulatedProvider } from '../../providers/simulated';
import { createWorker } from '../../worker/worker';
import { requireEnv } from './env';

async function main(): Promise<void> {
  const pool = createPool(requireEnv('DATABASE_URL'), 4);
  const connection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: requireEnv('TEMPORAL_TASK_QUEUE'),
    deps: {
      pool,
      provider: new SimulatedProvider({ latencyMs: Number(process.env.SIMULATED_LATENCY_MS ?? 0) }),
      reportGenerator: heuristicCreatorReportGenerator,
      webhooks: { allowInsecureLoopback: process.env.WEBHOOK_ALLOW_INSECURE_LOOPBACK === 'true' },
    },
    workflowBundle: { codePath: requireEnv('TEST_WORKFLOW_BUNDLE') },
  });
  const running = worker.run();
  console.log('ready');
  await running;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
