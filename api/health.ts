import { Router } from 'express';
import type { Client, Connection } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Pool } from 'pg';
import { healthProbeWrittenAt, pingDatabase } from '../db/health';
import { OFFLINE_SOURCES, type SourcePlan } from '../domain/sources';
import { ApiError } from './errors';
import { RETRY_AFTER_SECONDS } from './outages';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `ok` or `unreachable`: the driver's own text names hosts and ports, and /healthz answers without a key. */
async function check(name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, name);
    return [name, 'ok'];
  } catch {
    return [name, 'unreachable'];
  }
}

export interface HealthDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  /**
   * The connection `/healthz` asks. Give it one without the client's retry interceptor: a health answer is about
   * now, and the SDK's retries outlive the gRPC deadline. Defaults to the client's own connection.
   */
  temporalHealthConnection?: Connection;
  /** which source serves each platform and writes reports; all simulated unless given */
  sources?: SourcePlan;
}

/**
 * `/healthz` answers 200 only when Postgres and Temporal both answer; `/healthz/round-trip` additionally runs a
 * workflow on a worker whose activity writes to Postgres, and reads that row back.
 */
export function healthRouter({ pool, temporal, taskQueue, temporalHealthConnection, sources }: HealthDeps): Router {
  const router = Router();
  const probeConnection = temporalHealthConnection ?? temporal.connection;

  router.get('/healthz', async (_req, res) => {
    const results = Object.fromEntries(
      await Promise.all([
        check('postgres', () => pingDatabase(pool)),
        check('temporal', () =>
          // a gRPC deadline, so an unreachable server's call ends instead of retrying in the background
          probeConnection.withDeadline(Date.now() + CHECK_TIMEOUT_MS - 100, () =>
            probeConnection.workflowService.getSystemInfo({}),
          ),
        ),
      ]),
    );
    const failing = Object.entries(results).filter(([, state]) => state !== 'ok');
    if (failing.length === 0) {
      res.json({ status: 'ok', sources: sources ?? OFFLINE_SOURCES });
      return;
    }
    const message = failing.map(([name]) => `${name} is unreachable`).join('; ');
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new ApiError(503, 'service_unavailable', message, results);
  });

  router.get('/healthz/round-trip', async (_req, res) => {
    const started = Date.now();
    try {
      // one shared probe at a time: concurrent callers attach to the running one instead of starting more
      const runId = await withTimeout(
        temporal.workflow.execute('healthProbeWorkflow', {
          taskQueue,
          workflowId: 'health-probe',
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowExecutionTimeout: '30 seconds',
          args: [],
        }) as Promise<string>,
        10_000,
        'a worker',
      );
      const writtenAt = await healthProbeWrittenAt(pool, runId);
      if (!writtenAt) throw new Error(`the probe row for run ${runId} is missing`);
      res.json({ status: 'ok', run_id: runId, written_at: writtenAt, round_trip_ms: Date.now() - started });
    } catch (err) {
      throw new ApiError(503, 'service_unavailable', `Round trip failed: ${(err as Error).message}`);
    }
  });

  return router;
}
