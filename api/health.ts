import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { healthProbeWrittenAt, pingDatabase, pruneHealthProbes } from '../db/health';
import { OFFLINE_SOURCES, type SourcePlan } from '../domain/sources';
import { ApiError } from './errors';
import { RETRY_AFTER_SECONDS } from './outages';
import { route, type Route } from './route';

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
  /** names this API process in `/healthz`, so `npm start` knows its own API from another program on the port */
  instanceId?: string;
}

const platformSource = z.enum(['simulated', 'youtube-data-api', 'apify']);

export const healthSchema = z
  .object({
    status: z.literal('ok'),
    instance_id: z.string().describe('names this API process (`INSTANCE_ID`, or one made at start-up)'),
    sources: z
      .object({
        platforms: z.object({ tiktok: platformSource, youtube: platformSource, instagram: platformSource }),
        reports: z.discriminatedUnion('generator', [
          z.object({ generator: z.literal('heuristic') }),
          z.object({
            generator: z.literal('openai-compatible'),
            model: z.string(),
            base_url: z.string().describe('without credentials or query'),
          }),
        ]),
      })
      .describe('which source serves each platform and who writes reports, as configured'),
  })
  .meta({ id: 'Health' });

export const healthRoundTripSchema = z
  .object({
    status: z.literal('ok'),
    run_id: z.string().describe('the probe workflow run that wrote the row'),
    written_at: z.iso.datetime().describe('when its activity wrote the row, as read back from Postgres'),
    round_trip_ms: z.number().int(),
  })
  .meta({ id: 'HealthRoundTrip' });

/**
 * `/healthz` answers 200 only when Postgres and Temporal both answer; `/healthz/round-trip` additionally runs a
 * workflow on a worker whose activity writes to Postgres, and reads that row back. `/healthz` answers without an API
 * key and touches nothing; the round trip starts a workflow, so it needs a key and is rate limited like `/v1`.
 */
export function healthRoutes({
  pool,
  temporal,
  taskQueue,
  temporalHealthConnection,
  sources,
  instanceId = randomUUID(),
}: HealthDeps): Route[] {
  const probeConnection = temporalHealthConnection ?? temporal.connection;

  return [
    route({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      tag: 'Health',
      summary: 'Readiness: Postgres and Temporal both answer',
      description:
        'A 503 names each dependency in `error.details` as `ok` or `unreachable`, e.g. ' +
        '`{"postgres": "unreachable", "temporal": "ok"}`, with `Retry-After`; never a host, port or driver message.',
      public: true,
      responses: {
        200: {
          description: 'Both dependencies answer; the configured data sources',
          schema: healthSchema,
          example: {
            status: 'ok',
            instance_id: '5f0c9a52-4b7e-4a8e-9d43-0c6f2f1f5d11',
            sources: {
              platforms: { tiktok: 'apify', youtube: 'youtube-data-api', instagram: 'apify' },
              reports: { generator: 'openai-compatible', model: 'gpt-4o-mini', base_url: 'https://api.openai.com/v1' },
            },
          },
        },
      },
      handler: async ({ res }) => {
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
          return {
            status: 200,
            body: { status: 'ok', instance_id: instanceId, sources: sources ?? OFFLINE_SOURCES } satisfies z.output<
              typeof healthSchema
            >,
          };
        }
        const message = failing.map(([name]) => `${name} is unreachable`).join('; ');
        res.set('Retry-After', String(RETRY_AFTER_SECONDS));
        throw new ApiError(503, 'service_unavailable', message, results);
      },
    }),

    route({
      method: 'get',
      path: '/healthz/round-trip',
      operationId: 'getHealthRoundTrip',
      tag: 'Health',
      summary: 'End to end: a workflow on a worker writes a row to Postgres, which the API reads back',
      description:
        'Needs an API key and counts against its rate limit, since it starts a workflow. One shared probe runs at a ' +
        'time: concurrent callers wait for the running one; it leaves no more than its own row behind. 503 when it fails.',
      responses: {
        200: {
          description: 'The probe round-tripped',
          schema: healthRoundTripSchema,
          example: {
            status: 'ok',
            run_id: '0192f0c4-7d5e-7a3b-9c1d-2e3f4a5b6c7d',
            written_at: '2026-12-01T12:00:00.418Z',
            round_trip_ms: 163,
          },
        },
      },
      handler: async () => {
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
          await pruneHealthProbes(pool, runId);
          return {
            status: 200,
            // the same text res.json gave the Date
            body: {
              status: 'ok',
              run_id: runId,
              written_at: writtenAt.toISOString(),
              round_trip_ms: Date.now() - started,
            },
          };
        } catch (err) {
          throw new ApiError(503, 'service_unavailable', `Round trip failed: ${(err as Error).message}`);
        }
      },
    }),
  ];
}
