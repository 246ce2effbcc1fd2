import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities, type ActivityDeps } from '../../activities';
import { createPool } from '../../db/pool';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import type { PlatformProvider } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';
import { customSearchAttributes } from '../../domain/search-attributes';
import { indexedValueTypes } from '../../scripts/temporal-dev';
import { requireEnv, sharedWorkflowBundle, testDatabaseUrl } from './env';

/**
 * A time-skipping test server from the installed binary, with the project's search attributes registered (the
 * workflows upsert them, and the server refuses unknown ones).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_PATH') } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: indexedValueTypes(),
  });
  return env;
}

/**
 * A dev server of the suite's own from the installed CLI, with the project's search attributes and these dynamic config
 * values: settings the shared dev server cannot take without changing them for every suite (e.g. the history length at
 * which the server suggests continue-as-new).
 */
export async function createDevServerEnv(
  dynamicConfig: Record<string, string | number | boolean>,
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireEnv('TEMPORAL_CLI_PATH') },
      ip: '127.0.0.1',
      searchAttributes: customSearchAttributes,
      log: { format: 'pretty', level: 'error' },
      extraArgs: Object.entries(dynamicConfig).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
    },
  });
}

/** The worker's activity dependencies besides the pool (the suite's own) and the provider (below). */
export interface TimeSkippingSuiteOptions<P extends PlatformProvider> extends Partial<
  Omit<ActivityDeps, 'pool' | 'provider'>
> {
  /** the platform the activities call; a new simulated one unless given */
  provider?: P;
  /** the start of the worker's task queue name (a UUID follows) */
  taskQueue?: string;
  /** connections in the suite's pool */
  poolSize?: number;
}

export interface TimeSkippingSuite<P extends PlatformProvider> {
  readonly env: TestWorkflowEnvironment;
  readonly pool: Pool;
  readonly taskQueue: string;
  readonly provider: P;
}

/**
 * One time-skipping server for a jest suite, with a worker on it whose activities use the shared Postgres: started
 * before the suite's tests, stopped after it. A simulated provider's faults are cleared after each test (the report
 * generator defaults to the heuristic one). Read `env` and `pool` inside tests (they are set by then).
 */
export function timeSkippingForSuite<P extends PlatformProvider = SimulatedProvider>(
  options: TimeSkippingSuiteOptions<P> = {},
): TimeSkippingSuite<P> {
  return serverForSuite(createTimeSkippingEnv, options);
}

/**
 * As `timeSkippingForSuite`, on a dev server of the suite's own (`createDevServerEnv`) with these dynamic config values:
 * real time, and server behaviour the shared dev server does not show within a test.
 */
export function devServerForSuite<P extends PlatformProvider = SimulatedProvider>(
  dynamicConfig: Record<string, string | number | boolean>,
  options: TimeSkippingSuiteOptions<P> = {},
): TimeSkippingSuite<P> {
  return serverForSuite(() => createDevServerEnv(dynamicConfig), options);
}

function serverForSuite<P extends PlatformProvider>(
  createEnv: () => Promise<TestWorkflowEnvironment>,
  options: TimeSkippingSuiteOptions<P>,
): TimeSkippingSuite<P> {
  // P is SimulatedProvider when the caller passes no provider
  const provider = options.provider ?? (new SimulatedProvider() as PlatformProvider as P);
  const taskQueue = `${options.taskQueue ?? 'time-skipping'}-${randomUUID()}`;
  let env: TestWorkflowEnvironment | undefined;
  let pool: Pool | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    env = await createEnv();
    pool = createPool(testDatabaseUrl(), options.poolSize ?? 10);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: sharedWorkflowBundle(),
      activities: createActivities({
        pool,
        provider,
        reportGenerator: options.reportGenerator ?? heuristicCreatorReportGenerator,
        videoReportGenerator: options.videoReportGenerator,
        soundTrendGenerator: options.soundTrendGenerator,
        webhooks: options.webhooks,
      }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await pool?.end();
    await env?.teardown();
  });
  afterEach(() => {
    if (provider instanceof SimulatedProvider) provider.clearFaults();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test server is started in beforeAll; read it inside a test or hook');
    return value;
  };
  return {
    get env() {
      return ready(env);
    },
    get pool() {
      return ready(pool);
    },
    taskQueue,
    provider,
  };
}
