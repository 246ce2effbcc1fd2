/**
 * The real worker (activities and workflows) on the simulated provider, in a process of its own so a test or a fault
 * run can SIGKILL exactly it: no graceful shutdown, no reported failure, what a crashed machine looks like to
 * Temporal. Configured by DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, WORKFLOW_BUNDLE (a prebuilt bundle, so
 * a replacement starts in a second), SIMULATED_LATENCY_MS, WEBHOOK_ALLOW_INSECURE_LOOPBACK and WORKER_RELAY (`true`
 * runs the outbox relay too, for every team: only for a database of its own) and WORKER_MAX_CACHED_WORKFLOWS. Prints
 * "ready" once it polls.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createPool } from '../db/pool';
import { heuristicCreatorReportGenerator } from '../domain/creator-report';
import { SimulatedProvider } from '../providers/simulated';
import { OutboxRelay } from '../worker/outbox-relay';
import { createWorker } from '../worker/worker';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const pool = createPool(env('DATABASE_URL'), 10);
  const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
  const taskQueue = env('TEMPORAL_TASK_QUEUE');
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    deps: {
      pool,
      provider: new SimulatedProvider({ latencyMs: Number(process.env.SIMULATED_LATENCY_MS ?? 0) }),
      reportGenerator: heuristicCreatorReportGenerator,
      webhooks: { allowInsecureLoopback: process.env.WEBHOOK_ALLOW_INSECURE_LOOPBACK === 'true' },
    },
    workflowBundle: { codePath: env('WORKFLOW_BUNDLE') },
    ...(process.env.WORKER_MAX_CACHED_WORKFLOWS
      ? { maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) }
      : {}),
  });
  const relay =
    process.env.WORKER_RELAY === 'true'
      ? new OutboxRelay({
          pool,
          client: new Client({ connection }),
          taskQueue,
          sweepIntervalMs: 1_000,
          claimLeaseMs: 10_000,
        })
      : undefined;
  await relay?.start();
  const running = worker.run();
  console.log('ready');
  await running.finally(() => relay?.stop());
  await connection.close();
  await pool.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
