import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createApp } from '../../api/app';
import { createPool } from '../../db/pool';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import type { PlatformProvider } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';
import type { WebhookActivityOptions } from '../../activities/webhooks';
import type { Sources } from '../../providers/sources';
import { OutboxRelay } from '../../worker/outbox-relay';
import { createWorker } from '../../worker/worker';
import { requireEnv, sharedWorkflowBundle, testDatabaseUrl } from './env';

export interface Stack {
  baseUrl: string;
  pool: Pool;
  client: Client;
  taskQueue: string;
  worker: Worker;
  /** the outbox relay, when the stack was started with `webhooks` */
  relay?: OutboxRelay;
  stop(): Promise<void>;
}

/**
 * The real app against the shared Postgres and Temporal dev server: a worker on its own task queue and the API on a
 * random port.
 */
export interface StackOptions {
  provider?: PlatformProvider;
  /** report writers and the plan /healthz shows, when the stack runs on configured sources (`createSources`) */
  sources?: Pick<Sources, 'plan' | 'creatorReports' | 'videoReports'>;
  rateLimitPerMinute?: number;
  /**
   * Runs the webhook outbox relay for these teams (suites share the database, so a relay must not take another suite's
   * events) with these delivery and URL-check settings.
   */
  webhooks?: WebhookActivityOptions & { relayTeams: () => readonly string[] };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const taskQueue = `test-${randomUUID()}`;
  const pool = createPool(testDatabaseUrl(), 10);
  const address = requireEnv('TEMPORAL_ADDRESS');
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: {
      pool,
      provider: options.provider ?? new SimulatedProvider(),
      reportGenerator: options.sources?.creatorReports ?? heuristicCreatorReportGenerator,
      videoReportGenerator: options.sources?.videoReports,
      webhooks: options.webhooks,
    },
    workflowBundle: sharedWorkflowBundle(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const app = createApp({
    pool,
    temporal: client,
    taskQueue,
    sources: options.sources?.plan,
    rateLimitPerMinute: options.rateLimitPerMinute,
    webhooks: options.webhooks,
    log: (err) => console.error(err),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const relay = options.webhooks
    ? new OutboxRelay({ pool, client, taskQueue, teamIds: options.webhooks.relayTeams, sweepIntervalMs: 1_000 })
    : undefined;
  await relay?.start();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pool,
    client,
    taskQueue,
    worker,
    relay,
    stop: async () => {
      await relay?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await pool.end();
    },
  };
}

/**
 * One stack for a jest suite, on a simulated provider of its own: started before the suite's tests, faults cleared
 * after each test, stopped after the suite. Read `stack` inside tests (it is set by then).
 */
export function stackForSuite(options: Omit<StackOptions, 'provider'> = {}): {
  provider: SimulatedProvider;
  readonly stack: Stack;
} {
  const provider = new SimulatedProvider();
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack({ ...options, provider });
  });
  afterAll(async () => {
    await started?.stop();
  });
  afterEach(() => provider.clearFaults());
  return {
    provider,
    get stack(): Stack {
      if (!started) throw new Error('the stack is started in beforeAll; read it inside a test or hook');
      return started;
    },
  };
}
