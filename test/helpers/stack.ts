import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createApp, type AppDeps } from '../../api/app';
import { readCacheOn } from '../../api/read-cache';
import { createPool } from '../../db/pool';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import type { PlatformProvider } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';
import type { WebhookActivityOptions } from '../../activities/webhooks';
import type { Sources } from '../../providers/sources';
import { OutboxRelay } from '../../worker/outbox-relay';
import { TrackingReconciler } from '../../worker/tracking-reconciler';
import { createWorker } from '../../worker/worker';
import type { Logger } from '../../telemetry/logger';
import { requestIdClientInterceptor } from '../../telemetry/request-id';
import { requireEnv, sharedWorkflowBundle, testDatabaseUrl } from './env';

export interface Stack {
  baseUrl: string;
  pool: Pool;
  client: Client;
  taskQueue: string;
  worker: Worker;
  /** the outbox relay, when the stack was started with `webhooks` */
  relay?: OutboxRelay;
  /** the reconciler of closed tracking workflows, when the stack was started with `reconcileIntervalMs` */
  reconciler?: TrackingReconciler;
  /** the API's read cache and its listening connection, unless the stack was started with `readCache: false` */
  reads?: ReturnType<typeof readCacheOn>;
  stop(): Promise<void>;
}

/**
 * The real app against the shared Postgres and Temporal dev server: a worker on its own task queue and the API on a
 * random port. Suites start one with `stackForSuite`.
 */
export interface StackOptions {
  provider?: PlatformProvider;
  /** report writers and the plan /healthz shows, when the stack runs on configured sources (`createSources`) */
  sources?: Pick<Sources, 'plan' | 'creatorReports' | 'videoReports'> & Partial<Pick<Sources, 'soundTrends'>>;
  rateLimitPerMinute?: number;
  /**
   * Runs the webhook outbox relay for these teams (suites share the database, so a relay must not take another suite's
   * events) with these delivery and URL-check settings.
   */
  webhooks?: WebhookActivityOptions & { relayTeams: () => readonly string[] };
  /** runs the worker's reconciler of closed tracking workflows (on this stack's task queue) at this interval */
  reconcileIntervalMs?: number;
  /** the API's access and error log (requests are not logged without one) */
  logger?: Logger;
  /** the API's read cache (api/read-cache.ts), on as in production unless false */
  readCache?: boolean;
}

async function startStack(options: StackOptions = {}): Promise<Stack> {
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
      soundTrendGenerator: options.sources?.soundTrends,
      webhooks: options.webhooks,
    },
    workflowBundle: sharedWorkflowBundle(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace: 'default',
    interceptors: { workflow: [requestIdClientInterceptor()] },
  });
  const reads = options.readCache === false ? undefined : readCacheOn(pool, { maxBytes: 16 * 2 ** 20, ttlMs: 30_000 });
  await reads?.ready;
  const app = createApp({
    pool,
    temporal: client,
    taskQueue,
    readCache: reads?.cache,
    sources: options.sources?.plan,
    rateLimitPerMinute: options.rateLimitPerMinute,
    webhooks: options.webhooks,
    logger: options.logger,
    log: options.logger ? undefined : (err) => console.error(err),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const relay = options.webhooks
    ? new OutboxRelay({ pool, client, taskQueue, teamIds: options.webhooks.relayTeams, sweepIntervalMs: 1_000 })
    : undefined;
  await relay?.start();
  const reconciler = options.reconcileIntervalMs
    ? new TrackingReconciler({ pool, client, taskQueue, intervalMs: options.reconcileIntervalMs })
    : undefined;
  reconciler?.start();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pool,
    client,
    taskQueue,
    worker,
    relay,
    reconciler,
    reads,
    stop: async () => {
      await relay?.stop();
      await reconciler?.stop();
      await reads?.close();
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
 * The stack's app as `createApp` builds it, on the stack's pool, Temporal client and task queue, with other settings
 * (rate limits, URL checks), on a port of its own. Close the returned server.
 */
export async function appOnStack(
  stack: Pick<Stack, 'pool' | 'client' | 'taskQueue'>,
  settings: Partial<AppDeps> = {},
): Promise<{ server: Server; baseUrl: string }> {
  const app = createApp({ pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue, ...settings });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A suite's stack options, the provider's own type kept so the suite can reach its knobs. */
export type SuiteStackOptions<P extends PlatformProvider> = Omit<StackOptions, 'provider'> & { provider?: P };

/**
 * One stack for a jest suite: started before the suite's tests, stopped after the suite. The provider is the one in
 * the options, or a simulated one of its own; a simulated provider's faults are cleared after each test. Options that
 * need servers started first come from a function, called in the stack's beforeAll. Read `stack` and `provider`
 * inside tests (they are set by then).
 */
export function stackForSuite<P extends PlatformProvider = SimulatedProvider>(
  options: SuiteStackOptions<P> | (() => Promise<SuiteStackOptions<P>>) = {},
): {
  readonly provider: P;
  readonly stack: Stack;
} {
  let provider: P | undefined;
  let started: Stack | undefined;
  beforeAll(async () => {
    const resolved = typeof options === 'function' ? await options() : options;
    // P is SimulatedProvider when the caller passes no provider
    provider = resolved.provider ?? (new SimulatedProvider() as PlatformProvider as P);
    started = await startStack({ ...resolved, provider });
  });
  afterAll(async () => {
    await started?.stop();
  });
  afterEach(() => {
    if (provider instanceof SimulatedProvider) provider.clearFaults();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the stack is started in beforeAll; read it inside a test or hook');
    return value;
  };
  return {
    get provider(): P {
      return ready(provider);
    },
    get stack(): Stack {
      return ready(started);
    },
  };
}
