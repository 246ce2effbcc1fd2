import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findCreator } from '../db/creators';
import {
  findVideo,
  latestVideoReport,
  listVideos,
  liveVideoByPlatformId,
  listVideoSnapshots,
  videoDetail,
  videoJobs,
  videoPath,
  videoListItem,
  videoSnapshotItem,
  type VideoRow,
} from '../db/videos';
import { trackingJobs, type LifecycleColumns } from '../db/tracked';
import { DEFAULT_CADENCE, VIDEO_CADENCES } from '../domain/cadence';
import { PLATFORMS } from '../domain/platform';
import { videoTrajectory } from '../domain/trajectory';
import { parseVideoUrl, type VideoRef } from '../domain/urls';
import type { VideoTrackingInput } from '../workflows/messages';
import { auth } from './auth';
import { ApiError, notFound } from './errors';
import {
  patchTracking,
  registeredLifecycle,
  requireCycleCredits,
  snapshotWindow,
  startTracking,
  stopTracking,
} from './tracking';
import { isoDate, pageQuery, pagination, parsePart, uuidParam } from './validation';

export const trackVideoBody = z.strictObject({
  url: z.string().min(1).max(2048),
  platform: z.enum(PLATFORMS),
  tracking_account_id: z.uuid({ error: 'must be a UUID' }).optional(),
  scrape_cadence: z.enum(VIDEO_CADENCES).default(DEFAULT_CADENCE),
});

export const listVideosQuery = pageQuery(100, 20).extend({
  platform: z.enum(PLATFORMS).optional(),
  search: z.string().trim().min(1).max(200).optional(),
});

export const patchVideoBody = z
  .strictObject({
    status: z.enum(['active', 'paused']).optional(),
    scrape_cadence: z.enum(VIDEO_CADENCES).optional(),
  })
  .refine((body) => body.status !== undefined || body.scrape_cadence !== undefined, {
    message: 'send status and/or scrape_cadence',
  });

export const videoSnapshotsQuery = z.object({
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(365).default(30),
});

const TRAJECTORY_LIMIT = 365;

function videoRef(body: z.output<typeof trackVideoBody>): VideoRef {
  let ref: VideoRef;
  try {
    ref = parseVideoUrl(body.url);
  } catch (err) {
    throw new ApiError(400, 'invalid_request', `Invalid url: ${(err as Error).message}`, [
      { location: 'body', path: 'url', message: (err as Error).message },
    ]);
  }
  if (ref.platform !== body.platform) {
    const message = `the url is a ${ref.platform} video but platform is ${body.platform}`;
    throw new ApiError(400, 'invalid_request', `Invalid url: ${message}`, [{ location: 'body', path: 'url', message }]);
  }
  return ref;
}

function accepted(res: Response, row: LifecycleColumns, message: string, status = 202): void {
  res
    .status(status)
    .json({ data: { id: row.id, status: row.status, message, ...trackingJobs(row, videoPath(row.id)) } });
}

const ALREADY_TRACKED = 'Video is already tracked by this team; nothing was charged.';

export interface VideosDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

export function videosRouter({ pool, temporal, taskQueue }: VideosDeps): Router {
  const router = Router();

  const ownVideo = async (res: Response, rawParams: unknown): Promise<VideoRow> => {
    const { id } = parsePart('path', uuidParam, rawParams);
    const row = await findVideo(pool, auth(res).teamId, id);
    if (!row) throw notFound('Tracked video');
    return row;
  };

  router.post('/v1/tracking/videos', async (req, res) => {
    const body = parsePart('body', trackVideoBody, req.body);
    const { teamId } = auth(res);
    const ref = videoRef(body);
    if (body.tracking_account_id) {
      const creator = await findCreator(pool, teamId, body.tracking_account_id);
      if (!creator || creator.deleted_at) throw notFound('Tracked creator');
    }
    const existing = await liveVideoByPlatformId(pool, teamId, ref.platform, ref.platformVideoId);
    if (existing) {
      accepted(res, existing, ALREADY_TRACKED, 200);
      return;
    }
    await requireCycleCredits(pool, teamId, 'tracking a video');

    const id = randomUUID();
    const input: VideoTrackingInput = {
      id,
      teamId,
      platform: ref.platform,
      videoId: ref.platformVideoId,
      url: ref.canonicalUrl,
      authorHandle: ref.authorHandle,
      creatorId: body.tracking_account_id ?? null,
      cadence: body.scrape_cadence,
    };
    const result = await startTracking(
      temporal,
      taskQueue,
      { workflowType: 'videoTrackingWorkflow', input },
      `video ${ref.platformVideoId}`,
    );
    if (result.registered) {
      accepted(
        res,
        registeredLifecycle(id),
        'Video tracking started. Initial metrics and AI report are being generated.',
      );
      return;
    }
    const row = await findVideo(pool, teamId, result.existingId);
    if (!row) throw new Error(`video ${result.existingId} is tracked but has no row`);
    accepted(res, row, ALREADY_TRACKED, 200);
  });

  router.get('/v1/tracking/videos', async (req, res) => {
    const query = parsePart('query', listVideosQuery, req.query);
    const { rows, total } = await listVideos(pool, auth(res).teamId, query);
    res.json({ data: rows.map(videoListItem), pagination: pagination(query.page, query.limit, total) });
  });

  router.get('/v1/tracking/videos/:id', async (req, res) => {
    res.json({ data: videoDetail(await ownVideo(res, req.params)) });
  });

  router.patch('/v1/tracking/videos/:id', async (req, res) => {
    const row = await ownVideo(res, req.params);
    const patch = parsePart('body', patchVideoBody, req.body);
    if (row.deleted_at) throw new ApiError(409, 'conflict', `Tracking of video ${row.id} has been stopped`);
    const view = await patchTracking(temporal, { resourceType: 'video', id: row.id }, patch);
    res.json({
      data: {
        id: row.id,
        status: view.status,
        pause_reason: view.pauseReason,
        scrape_cadence: view.cadence,
        next_scrape_at: view.nextScrapeAt,
      },
    });
  });

  router.delete('/v1/tracking/videos/:id', async (req, res) => {
    const row = await ownVideo(res, req.params);
    if (!row.deleted_at) await stopTracking(temporal, { resourceType: 'video', id: row.id });
    res.status(204).end();
  });

  router.get('/v1/tracking/videos/:id/snapshots', async (req, res) => {
    const row = await ownVideo(res, req.params);
    const window = snapshotWindow(parsePart('query', videoSnapshotsQuery, req.query));
    res.json({ data: (await listVideoSnapshots(pool, row.id, window)).map(videoSnapshotItem) });
  });

  router.get('/v1/tracking/videos/:id/report', async (req, res) => {
    const row = await ownVideo(res, req.params);
    const report = await latestVideoReport(pool, row.id);
    res.json({
      data: {
        video: {
          id: row.id,
          platform: row.platform,
          url: row.url,
          title: row.title,
          latest_views: row.latest_views,
          latest_likes: row.latest_likes,
        },
        analysis: report?.analysis ?? null,
        analysis_updated_at: report ? report.created_at.toISOString() : null,
        model_used: report?.model_used ?? null,
        enrichment_status: row.enrichment_status,
        ...videoJobs(row),
      },
    });
  });

  router.get('/v1/tracking/videos/:id/trajectory', async (req, res) => {
    const row = await ownVideo(res, req.params);
    const snapshots = await listVideoSnapshots(pool, row.id, { limit: TRAJECTORY_LIMIT });
    const trajectory = videoTrajectory(
      snapshots.map((s) => ({ captured_at: s.snapshot_at, views: s.views })),
      { publishedAt: row.published_at, now: row.last_scraped_at ?? new Date() },
    );
    res.json({
      data: { id: row.id, platform: row.platform, video_id: row.platform_video_id, ...trajectory },
    });
  });

  return router;
}
