/**
 * The worker a fault run kills: the real worker (activities, workflows, outbox relay) on the simulated provider, in
 * its own process so SIGKILL hits exactly it. Configured by DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE,
 * CHAOS_WORKFLOW_BUNDLE (a prebuilt bundle, so a replacement starts in a second) and SIMULATED_LATENCY_MS.
 * Prints "ready" once it polls.
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
  Runtime.install({ logger: new DefaultLogger('ERROR') });
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
      // the receiver is the fault run's own loopback server
      webhooks: { allowInsecureLoopback: true },
    },
    workflowBundle: { codePath: env('CHAOS_WORKFLOW_BUNDLE') },
  });
  const relay = new OutboxRelay({
    pool,
    client: new Client({ connection }),
    taskQueue,
    sweepIntervalMs: 1_000,
    claimLeaseMs: 10_000,
  });
  await relay.start();
  const running = worker.run();
  console.log('ready');
  await running.finally(() => relay.stop());
  await connection.close();
  await pool.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
