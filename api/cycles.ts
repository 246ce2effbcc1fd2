import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { creatorPath, findCreator } from '../db/creators';
import { findVideo, videoPath } from '../db/videos';
import { CYCLE_COST } from '../domain/costs';
import { runCycleUpdate, type TrackedResourceType } from '../workflows/messages';
import { auth } from './auth';
import { ApiError, notFound } from './errors';
import { dataOf, route, type Route } from './route';
import { EXAMPLE_CREATOR_ID } from './schemas/creators';
import { trackingJobs, trackingPendingJobSchema } from './schemas/tracking';
import { requireCycleCredits, trackingWorkflowId, update } from './tracking';
import { uuidParam } from './validation';

/** `POST .../cycles`: a tracking cycle run now, through the same Update an operator can send from the Temporal UI. */

export const cycleStartedSchema = z
  .object({
    id: z.uuid().describe('the tracked creator or video'),
    cycle: z.number().int().describe('the number of the cycle started'),
    status: z.literal('processing'),
    credits_reserved: z.number().int().describe('credits (cents) the cycle reserves, as any cycle: 25'),
    credit_unit: z.literal('cent'),
    finalized: z.literal(false),
    pending_jobs: z.array(trackingPendingJobSchema).length(1).describe('the cycle just started'),
  })
  .meta({ id: 'CycleStarted' });

const CYCLE_CREDITS = CYCLE_COST;

/** What the two tracked resources differ in. */
interface Tracked {
  resourceType: TrackedResourceType;
  path: string;
  noun: string;
  tag: string;
  find(pool: Pool, teamId: string, id: string): Promise<{ id: string; deleted_at: Date | null } | undefined>;
  pathOf(id: string): string;
}

const TRACKED: Tracked[] = [
  {
    resourceType: 'creator',
    path: '/v1/tracking/creators/{id}/cycles',
    noun: 'creator',
    tag: 'Creators',
    find: findCreator,
    pathOf: creatorPath,
  },
  {
    resourceType: 'video',
    path: '/v1/tracking/videos/{id}/cycles',
    noun: 'video',
    tag: 'Videos',
    find: findVideo,
    pathOf: videoPath,
  },
];

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export function cycleRoutes({ pool, temporal }: { pool: Pool; temporal: Client }): Route[] {
  return TRACKED.map((t) =>
    route({
      method: 'post',
      path: t.path,
      operationId: t.resourceType === 'creator' ? 'runCreatorCycle' : 'runVideoCycle',
      tag: t.tag,
      summary: `Run a tracking cycle now (${CYCLE_CREDITS} credits)`,
      description:
        `Starts a cycle of the ${t.noun} at once, even while paused, and charges it like any cycle; poll the ` +
        `${t.noun} until \`finalized\` or subscribe to \`tracking.cycle.completed\`. The schedule continues from this ` +
        'cycle: the next one is due one interval after it. The same as the `runCycleNow` Update an operator can send ' +
        'from the Temporal UI. Send an `Idempotency-Key` header (1–128 letters, digits, `.`, `_`, `:`, `-`) to retry ' +
        'safely: a repeat with the same key answers the cycle the first request started instead of starting (and ' +
        'charging) another, for as long as the tracking workflow keeps that run (it continues as new every 100 ' +
        'cycles).',
      request: { params: uuidParam },
      responses: {
        202: {
          description: 'The cycle started; poll the resource until `finalized`',
          schema: dataOf(cycleStartedSchema),
          example: {
            data: {
              id: EXAMPLE_CREATOR_ID,
              cycle: 8,
              status: 'processing',
              credits_reserved: CYCLE_CREDITS,
              credit_unit: 'cent',
              finalized: false,
              pending_jobs: [
                {
                  type: 'tracking_report',
                  status: 'processing',
                  poll_url: creatorPath(EXAMPLE_CREATOR_ID),
                  result_path: 'data',
                  webhook_event: 'tracking.cycle.completed',
                  started_at: '2026-12-01T12:00:00.000Z',
                  retry_after_seconds: 2,
                },
              ],
            },
          },
        },
      },
      errors: {
        402: `The balance cannot pay the cycle (${CYCLE_CREDITS} credits)`,
        404: `No such ${t.noun}, or another team’s`,
        409: `A cycle of the ${t.noun} is already running, or its tracking has been stopped`,
      },
      handler: async ({ params, req, res }) => {
        const { teamId } = auth(res);
        const idempotencyKey = req.header('idempotency-key');
        if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
          const message = 'must be 1–128 letters, digits, or . _ : -';
          throw new ApiError(400, 'invalid_request', `Invalid header: Idempotency-Key ${message}`, [
            { location: 'header', path: 'Idempotency-Key', message },
          ]);
        }
        const row = await t.find(pool, teamId, params.id);
        if (!row) throw notFound(`Tracked ${t.noun}`);
        const what = `${t.noun} ${row.id}`;
        if (row.deleted_at) throw new ApiError(409, 'conflict', `Tracking of ${what} has been stopped`);
        await requireCycleCredits(pool, teamId, 'a tracking cycle');
        const target = { resourceType: t.resourceType, id: row.id };
        const started = await update(temporal, what, () =>
          temporal.workflow
            .getHandle(trackingWorkflowId(target))
            // Temporal keeps an Update's outcome by its id: a repeat gets the cycle the first one started
            .executeUpdate(runCycleUpdate, idempotencyKey ? { updateId: `run-now:${idempotencyKey}` } : {}),
        );
        const pollUrl = t.pathOf(row.id);
        const jobs = trackingJobs(
          {
            id: row.id,
            status: 'active',
            enrichment_status: 'ready',
            cycle_in_progress: started.cycle,
            cycle_started_at: new Date(started.startedAt),
          },
          pollUrl,
        );
        return {
          status: 202,
          body: {
            data: {
              id: row.id,
              cycle: started.cycle,
              status: 'processing',
              credits_reserved: CYCLE_CREDITS,
              credit_unit: 'cent',
              finalized: false,
              pending_jobs: jobs.pending_jobs,
            } satisfies z.output<typeof cycleStartedSchema>,
          },
        };
      },
    }),
  );
}
