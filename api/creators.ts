import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  creatorDetail,
  creatorJobs,
  creatorListItem,
  creatorPath,
  findCreator,
  latestReport,
  listCreators,
  listSnapshots,
  snapshotItem,
  liveCreatorByHandle,
  type CreatorRow,
} from '../db/creators';
import { trackingJobs, type LifecycleColumns } from '../db/tracked';
import { DEFAULT_CADENCE, SCRAPE_CADENCES } from '../domain/cadence';
import { COLLECTION_COSTS, COLLECTION_DEPTHS, COLLECTION_MAX_VIDEOS, CYCLE_COST } from '../domain/costs';
import { PLATFORMS, type Platform } from '../domain/platform';
import { normalizeHandle, parseProfileUrl } from '../domain/urls';
import type { CreatorTrackingInput } from '../workflows/messages';
import { auth } from './auth';
import { ApiError, notFound } from './errors';
import {
  patchTracking,
  registeredLifecycle,
  requireCredits,
  requireCycleCredits,
  snapshotWindow,
  startTracking,
  stopTracking,
} from './tracking';
import { isoDate, pageQuery, pagination, parsePart, uuidParam } from './validation';

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
  search: z.string().trim().min(1).max(100).optional(),
});

export const patchCreatorBody = z
  .strictObject({
    status: z.enum(['active', 'paused']).optional(),
    scrape_cadence: z.enum(SCRAPE_CADENCES).optional(),
  })
  .refine((body) => body.status !== undefined || body.scrape_cadence !== undefined, {
    message: 'send status and/or scrape_cadence',
  });

export const snapshotsQuery = z.object({
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(365).default(30),
});

/** The creator to track, from a profile URL or a handle; a URL of another platform or shape is a 400. */
function creatorIdentity(body: z.output<typeof trackCreatorBody>): { platform: Platform; handle: string } {
  try {
    if (body.url !== undefined) {
      const parsed = parseProfileUrl(body.url);
      if (parsed.platform !== body.platform) {
        throw new Error(`the url is a ${parsed.platform} profile but platform is ${body.platform}`);
      }
      // a channel id is case-sensitive and already validated; a handle is normalized
      if (parsed.kind === 'channel') return { platform: parsed.platform, handle: parsed.handle };
      return { platform: parsed.platform, handle: normalizeHandle(parsed.platform, parsed.handle) };
    }
    return { platform: body.platform, handle: normalizeHandle(body.platform, body.handle as string) };
  } catch (err) {
    throw new ApiError(400, 'invalid_request', `Invalid creator: ${(err as Error).message}`, [
      { location: 'body', path: body.url !== undefined ? 'url' : 'handle', message: (err as Error).message },
    ]);
  }
}

function accepted(res: Response, row: LifecycleColumns, message: string, status = 202, extra: object = {}): void {
  res.status(status).json({
    data: { id: row.id, status: row.status, message, ...extra, ...trackingJobs(row, creatorPath(row.id)) },
  });
}

export interface CreatorsDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

/** The tracked creator named by `:id`, if it is the caller team's; anything else is a 404. */
export async function ownCreator(pool: Pool, res: Response, rawParams: unknown): Promise<CreatorRow> {
  const { id } = parsePart('path', uuidParam, rawParams);
  const row = await findCreator(pool, auth(res).teamId, id);
  if (!row) throw notFound('Tracked creator');
  return row;
}

export function creatorsRouter({ pool, temporal, taskQueue }: CreatorsDeps): Router {
  const router = Router();

  router.post('/v1/tracking/creators', async (req, res) => {
    const body = parsePart('body', trackCreatorBody, req.body);
    const { teamId } = auth(res);
    const { platform, handle } = creatorIdentity(body);

    const existing = await liveCreatorByHandle(pool, teamId, platform, handle);
    if (existing) {
      accepted(res, existing, 'Creator is already tracked by this team; nothing was charged.', 200);
      return;
    }
    const depth = body.collection_depth;
    if (depth) {
      await requireCredits(pool, teamId, CYCLE_COST + COLLECTION_COSTS[depth], `tracking with a ${depth} collection`);
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
      accepted(res, row, 'Creator is already tracked by this team; nothing was charged.', 200);
      return;
    }
    const collection =
      collectionId && depth
        ? {
            collection: {
              collection_id: collectionId,
              status: 'processing',
              depth,
              max_videos: COLLECTION_MAX_VIDEOS[depth],
              credits_reserved: COLLECTION_COSTS[depth],
              poll_url: `${creatorPath(id)}/posts/collect/${collectionId}`,
            },
          }
        : {};
    accepted(
      res,
      registeredLifecycle(id),
      'Creator tracking started. Initial metrics and AI report are being generated.',
      202,
      collection,
    );
  });

  router.get('/v1/tracking/creators', async (req, res) => {
    const query = parsePart('query', listCreatorsQuery, req.query);
    const { rows, total } = await listCreators(pool, auth(res).teamId, query);
    res.json({ data: rows.map(creatorListItem), pagination: pagination(query.page, query.limit, total) });
  });

  router.get('/v1/tracking/creators/:id', async (req, res) => {
    res.json({ data: creatorDetail(await ownCreator(pool, res, req.params)) });
  });

  router.patch('/v1/tracking/creators/:id', async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const patch = parsePart('body', patchCreatorBody, req.body);
    if (row.deleted_at) throw new ApiError(409, 'conflict', `Tracking of creator ${row.id} has been stopped`);
    const view = await patchTracking(temporal, { resourceType: 'creator', id: row.id }, patch);
    res.json({
      data: {
        id: row.id,
        platform: row.platform,
        platform_handle: row.platform_handle,
        status: view.status,
        pause_reason: view.pauseReason,
        scrape_cadence: view.cadence,
        next_scrape_at: view.nextScrapeAt,
      },
    });
  });

  router.delete('/v1/tracking/creators/:id', async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    if (!row.deleted_at) {
      await stopTracking(temporal, { resourceType: 'creator', id: row.id });
    }
    res.status(204).end();
  });

  router.get('/v1/tracking/creators/:id/snapshots', async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const rows = await listSnapshots(pool, row.id, snapshotWindow(parsePart('query', snapshotsQuery, req.query)));
    res.json({ data: rows.map(snapshotItem) });
  });

  router.get('/v1/tracking/creators/:id/report', async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const report = await latestReport(pool, row.id);
    res.json({
      data: {
        account: {
          id: row.id,
          platform: row.platform,
          platform_handle: row.platform_handle,
          display_name: row.display_name,
          latest_followers: row.latest_followers,
        },
        report: report
          ? {
              id: report.id,
              tracking_account_id: row.id,
              analysis: report.analysis,
              model_used: report.model_used,
              created_at: report.created_at.toISOString(),
            }
          : null,
        enrichment_status: row.enrichment_status,
        ...creatorJobs(row),
      },
    });
  });

  return router;
}
