import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { requestIdActivityInterceptor } from '../telemetry/request-id';

export const workflowsPath = require.resolve('../workflows');
/** Bundled with the workflows: every bundle (the worker's own, the tests', the scripts') passes these. */
export const workflowInterceptorModules = [require.resolve('../workflows/request-id')];

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** a bundle built once (tests share one per suite); without it the worker bundles workflows/ itself */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /**
   * Workflows kept in memory between tasks (the sticky cache). A tracked creator sleeps for hours between cycles, so
   * holding every one costs memory for nothing; one evicted is replayed from its (short) history when it wakes.
   */
  maxCachedWorkflows?: number;
  /** slots, pollers and threads, when measured to beat the SDK's defaults (see BENCHMARKS.md) */
  tuning?: WorkerTuning;
}

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'workflowThreadPoolSize'
>;

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.identity ? { identity: setup.identity } : {}),
    activities: createActivities(setup.deps),
    interceptors: {
      activity: [requestIdActivityInterceptor],
      ...(setup.workflowBundle ? {} : { workflowModules: workflowInterceptorModules }),
    },
    ...(setup.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: setup.maxCachedWorkflows } : {}),
    ...setup.tuning,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath }),
  });
}
