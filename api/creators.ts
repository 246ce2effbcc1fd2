import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  CREATOR_TABLES,
  creatorPath,
  findCreator,
  latestReport,
  listCreators,
  liveCreatorByHandle,
  ownedCreatorSnapshots,
  type CreatorRow,
  type SnapshotRow,
} from '../db/creators';
import { streamTrackedSnapshots } from '../db/tracked';
import { DEFAULT_CADENCE, SCRAPE_CADENCES } from '../domain/cadence';
import { COLLECTION_COSTS, COLLECTION_DEPTHS, COLLECTION_MAX_VIDEOS, CYCLE_COST } from '../domain/costs';
import { PLATFORMS, type Platform } from '../domain/platform';
import { normalizeHandle, parseProfileUrl } from '../domain/urls';
import type { CreatorTrackingInput } from '../workflows/messages';
import { auth } from './auth';
import { mapped } from './download';
import { ApiError, notFound } from './errors';
import { dataOf, pageOf, route, type Route } from './route';
import {
  creatorAccepted,
  creatorAnalysisExample,
  creatorDetail,
  creatorDetailExample,
  creatorDetailSchema,
  creatorListItemExample,
  creatorListItemSchema,
  creatorReport,
  creatorReportSchema,
  creatorSnapshotExample,
  creatorSnapshotSchema,
  creatorTrackingAcceptedSchema,
  creatorTrackingState,
  creatorTrackingStateSchema,
  EXAMPLE_CREATOR_ID,
  snapshotItem,
} from './schemas/creators';
import {
  patchTracking,
  registeredLifecycle,
  requireCredits,
  requireCycleCredits,
  snapshotWindow,
  startTracking,
  stopTracking,
} from './tracking';
import { pageJson, pageQuery, pagination, searchText, snapshotsQuery, uuidParam } from './validation';

export const trackCreatorBody = z
  .strictObject({
    platform: z.enum(PLATFORMS),
    url: z.string().max(2048).optional(),
    handle: z.string().max(100).optional(),
    scrape_cadence: z.enum(SCRAPE_CADENCES).default(DEFAULT_CADENCE),
    collection_depth: z.enum(COLLECTION_DEPTHS).optional(),
  })
  .refine((body) => body.url !== undefined || body.handle !== undefined, {
    message: 'either url or handle is required',
    path: ['url'],
  });

export const listCreatorsQuery = pageQuery(100, 20).extend({
  platform: z.enum(PLATFORMS).optional(),
  search: searchText(100).optional(),
});

export const patchCreatorBody = z
  .strictObject({
    status: z.enum(['active', 'paused']).optional(),
    scrape_cadence: z.enum(SCRAPE_CADENCES).optional(),
  })
  .refine((body) => body.status !== undefined || body.scrape_cadence !== undefined, {
    message: 'send status and/or scrape_cadence',
  })
  // the document says what the refinement enforces
  .meta({ minProperties: 1 } as never);

/** The creator to track, from a profile URL or a handle; a URL of another platform or shape is a 400. */
function creatorIdentity(body: z.output<typeof trackCreatorBody>): { platform: Platform; handle: string } {
  try {
    if (body.url !== undefined) {
      const parsed = parseProfileUrl(body.url);
      if (parsed.platform !== body.platform) {
        throw new Error(`the url is a ${parsed.platform} profile but platform is ${body.platform}`);
      }
      // a channel id is case-sensitive and already validated; a handle is normalized
      const handle = parsed.kind === 'channel' ? parsed.handle : normalizeHandle(parsed.platform, parsed.handle);
      if (body.handle !== undefined) {
        // both given: they must name the same creator, or which one was meant is a guess
        const given = parsed.kind === 'channel' ? body.handle : normalizeHandle(parsed.platform, body.handle);
        if (given.toLowerCase() !== handle.toLowerCase()) {
          throw new Error(`the url names ${handle} but handle is ${body.handle}; send one of them, or both alike`);
        }
      }
      return { platform: parsed.platform, handle };
    }
    return { platform: body.platform, handle: normalizeHandle(body.platform, body.handle as string) };
  } catch (err) {
    throw new ApiError(400, 'invalid_request', `Invalid creator: ${(err as Error).message}`, [
      { location: 'body', path: body.url !== undefined ? 'url' : 'handle', message: (err as Error).message },
    ]);
  }
}

const ALREADY_TRACKED = 'Creator is already tracked by this team; nothing was charged.';

export interface CreatorsDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

/** The tracked creator `id`, if it is the caller team's; anything else is a 404. */
export async function ownCreator(pool: Pool, res: Response, id: string): Promise<CreatorRow> {
  const row = await findCreator(pool, auth(res).teamId, id);
  if (!row) throw notFound('Tracked creator');
  return row;
}

const CREATOR = '/v1/tracking/creators/{id}';

const EXAMPLE_POLL_URL = `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`;
const EXAMPLE_COLLECTION_ID = '3f9a1c2e-8d4b-4e6f-a1b2-c3d4e5f60718';
const noPendingJobs = { finalized: true, pending_jobs: [] };

export function creatorRoutes({ pool, temporal, taskQueue }: CreatorsDeps): Route[] {
  return [
    route({
      method: 'post',
      path: '/v1/tracking/creators',
      operationId: 'trackCreator',
      tag: 'Creators',
      summary: 'Track a creator (25 credits for the initial cycle)',
      description:
        'From a profile `url` or a `handle`. The initial cycle (metrics and AI report) runs at once; poll the creator ' +
        'until `finalized` or subscribe to `tracking.cycle.completed`. `collection_depth` also collects posts after ' +
        'it: standard 50 (50 credits), deep 200 (100), full 500 (200).',
      request: {
        body: trackCreatorBody,
        bodyExample: {
          platform: 'tiktok',
          url: 'https://www.tiktok.com/@khaby.lame',
          scrape_cadence: 'daily',
          collection_depth: 'standard',
        },
      },
      responses: {
        202: {
          description: 'Tracking started; poll the creator until `finalized`',
          schema: dataOf(creatorTrackingAcceptedSchema),
          example: {
            data: {
              id: EXAMPLE_CREATOR_ID,
              status: 'active',
              message: 'Creator tracking started. Initial metrics and AI report are being generated.',
              collection: {
                collection_id: EXAMPLE_COLLECTION_ID,
                status: 'processing',
                depth: 'standard',
                max_videos: 50,
                credits_reserved: 50,
                poll_url: `${EXAMPLE_POLL_URL}/posts/collect/${EXAMPLE_COLLECTION_ID}`,
              },
              finalized: false,
              pending_jobs: [
                {
                  type: 'tracking_report',
                  status: 'processing',
                  poll_url: EXAMPLE_POLL_URL,
                  result_path: 'data',
                  webhook_event: 'tracking.cycle.completed',
                  retry_after_seconds: 2,
                },
              ],
            },
          },
        },
        200: {
          description: 'The team already tracks this creator; nothing charged',
          schema: dataOf(creatorTrackingAcceptedSchema),
          example: { data: { id: EXAMPLE_CREATOR_ID, status: 'active', message: ALREADY_TRACKED, ...noPendingJobs } },
        },
      },
      errors: { 402: 'The balance cannot pay the initial cycle (plus the collection asked for)' },
      handler: async ({ body, res }) => {
        const { teamId } = auth(res);
        const { platform, handle } = creatorIdentity(body);

        const existing = await liveCreatorByHandle(pool, teamId, platform, handle);
        if (existing) return { status: 200, body: { data: creatorAccepted(existing, ALREADY_TRACKED) } };
        const depth = body.collection_depth;
        if (depth) {
          await requireCredits(
            pool,
            teamId,
            CYCLE_COST + COLLECTION_COSTS[depth],
            `tracking with a ${depth} collection`,
          );
        } else {
          await requireCycleCredits(pool, teamId, 'tracking a creator');
        }

        const id = randomUUID();
        // a collection asked for here runs after the initial cycle, charged on top of it by its own saga
        const collectionId = depth ? randomUUID() : null;
        const input: CreatorTrackingInput = {
          id,
          teamId,
          platform,
          handle,
          cadence: body.scrape_cadence,
          initialCollection: collectionId && depth ? { id: collectionId, depth } : null,
        };
        const result = await startTracking(
          temporal,
          taskQueue,
          { workflowType: 'creatorTrackingWorkflow', input },
          `@${handle}`,
        );
        if (!result.registered) {
          const row = await findCreator(pool, teamId, result.existingId);
          if (!row) throw new Error(`creator ${result.existingId} is tracked but has no row`);
          return { status: 200, body: { data: creatorAccepted(row, ALREADY_TRACKED) } };
        }
        const collection =
          collectionId && depth
            ? {
                collection: {
                  collection_id: collectionId,
                  status: 'processing' as const,
                  depth,
                  max_videos: COLLECTION_MAX_VIDEOS[depth],
                  credits_reserved: COLLECTION_COSTS[depth],
                  poll_url: `${creatorPath(id)}/posts/collect/${collectionId}`,
                },
              }
            : {};
        return {
          status: 202,
          body: {
            data: creatorAccepted(
              registeredLifecycle(id),
              'Creator tracking started. Initial metrics and AI report are being generated.',
              collection,
            ),
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/tracking/creators',
      operationId: 'listCreators',
      cached: true,
      tag: 'Creators',
      summary: 'List tracked creators, newest first',
      description: 'Stopped creators are left out. `search` matches handle or display name, case-insensitively.',
      request: { query: listCreatorsQuery },
      responses: {
        200: {
          description: 'A page of creators with `pagination`',
          schema: pageOf(creatorListItemSchema),
          example: {
            data: [creatorListItemExample],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      handler: async ({ query, res }) => {
        const { items, total } = await listCreators(pool, auth(res).teamId, query);
        return { status: 200, json: pageJson(items, pagination(query.page, query.limit, total)) };
      },
    }),
    route({
      method: 'get',
      path: CREATOR,
      operationId: 'getCreator',
      cached: true,
      tag: 'Creators',
      summary: 'Get a tracked creator',
      description: 'A stopped creator stays readable, with `status: stopped`.',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The creator, with `finalized` and `pending_jobs`',
          schema: dataOf(creatorDetailSchema),
          example: { data: creatorDetailExample },
        },
      },
      errors: { 404: 'No such creator, or another team’s' },
      handler: async ({ params, res }) => ({
        status: 200,
        body: { data: creatorDetail(await ownCreator(pool, res, params.id)) },
      }),
    }),
    route({
      method: 'patch',
      path: CREATOR,
      operationId: 'updateCreator',
      tag: 'Creators',
      summary: 'Pause, resume or change the cadence',
      request: { params: uuidParam, body: patchCreatorBody, bodyExample: { status: 'paused' } },
      responses: {
        200: {
          description: 'The new tracking state',
          schema: dataOf(creatorTrackingStateSchema),
          example: {
            data: {
              id: EXAMPLE_CREATOR_ID,
              platform: 'tiktok',
              platform_handle: 'khaby.lame',
              status: 'paused',
              pause_reason: 'manual',
              scrape_cadence: 'daily',
              next_scrape_at: null,
            },
          },
        },
      },
      errors: {
        404: 'No such creator, or another team’s',
        409: 'Tracking of the creator has been stopped, or the workflow refused the change',
      },
      handler: async ({ params, body, res }) => {
        const row = await ownCreator(pool, res, params.id);
        if (row.deleted_at) throw new ApiError(409, 'conflict', `Tracking of creator ${row.id} has been stopped`);
        const view = await patchTracking(temporal, { resourceType: 'creator', id: row.id }, body);
        return { status: 200, body: { data: creatorTrackingState(row, view) } };
      },
    }),
    route({
      method: 'delete',
      path: CREATOR,
      operationId: 'stopCreator',
      tag: 'Creators',
      summary: 'Stop tracking (soft delete)',
      description: 'Idempotent: stopping a stopped creator answers 204 again. Snapshots and reports stay readable.',
      request: { params: uuidParam },
      responses: { 204: { description: 'Stopped; history stays readable' } },
      errors: {
        404: 'No such creator, or another team’s',
        409: 'The tracking workflow has already ended, or refused the stop',
      },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        if (!row.deleted_at) {
          await stopTracking(temporal, { resourceType: 'creator', id: row.id });
        }
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/snapshots`,
      operationId: 'listCreatorSnapshots',
      cached: true,
      tag: 'Creators',
      summary: 'Metric snapshots with deltas, oldest first',
      description: 'The most recent `limit` snapshots within `start_date`..`end_date`; an inverted range is a 400.',
      request: { params: uuidParam, query: snapshotsQuery },
      responses: {
        200: {
          description: 'Snapshots, oldest first',
          schema: dataOf(z.array(creatorSnapshotSchema)),
          example: { data: [creatorSnapshotExample] },
        },
      },
      errors: { 404: 'No such creator, or another team’s' },
      handler: async ({ params, query, res }) => {
        const items = await ownedCreatorSnapshots(pool, auth(res).teamId, params.id, snapshotWindow(query));
        if (items === undefined) throw notFound('Tracked creator');
        return { status: 200, json: `{"data":${items}}` };
      },
      download: {
        item: creatorSnapshotSchema,
        filename: ({ params }) => `creator-${params.id}-snapshots`,
        rows: async ({ params, query, res }) => {
          const row = await ownCreator(pool, res, params.id);
          const window = snapshotWindow(query);
          return mapped(streamTrackedSnapshots<SnapshotRow>(pool, CREATOR_TABLES, row.id, window), snapshotItem);
        },
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/report`,
      operationId: 'getCreatorReport',
      tag: 'Creators',
      summary: 'Latest analysis report',
      description: 'Each completed cycle writes one; `report` is null until the first cycle completes.',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The report, or null until the first cycle completes',
          schema: dataOf(creatorReportSchema),
          example: {
            data: {
              account: {
                id: EXAMPLE_CREATOR_ID,
                platform: 'tiktok',
                platform_handle: 'khaby.lame',
                display_name: 'Khabane lame',
                latest_followers: 162_400_000,
              },
              report: {
                id: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
                tracking_account_id: EXAMPLE_CREATOR_ID,
                analysis: creatorAnalysisExample,
                model_used: 'heuristic-analyst-v1',
                created_at: '2026-11-30T06:00:09.887Z',
              },
              enrichment_status: 'ready',
              ...noPendingJobs,
            },
          },
        },
      },
      errors: { 404: 'No such creator, or another team’s' },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const report = await latestReport(pool, row.id);
        return { status: 200, body: { data: creatorReport(row, report) } };
      },
    }),
  ];
}
