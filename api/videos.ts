import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
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
  ownedVideoSnapshots,
  VIDEO_TABLES,
  videoPath,
  type VideoRow,
  type VideoSnapshotRow,
} from '../db/videos';
import { streamTrackedSnapshots, type LifecycleColumns } from '../db/tracked';
import { DEFAULT_CADENCE, VIDEO_CADENCES } from '../domain/cadence';
import { CYCLE_COST } from '../domain/costs';
import { PLATFORMS } from '../domain/platform';
import { videoTrajectory } from '../domain/trajectory';
import { parseVideoUrl, type VideoRef } from '../domain/urls';
import type { VideoTrackingInput } from '../workflows/messages';
import { auth } from './auth';
import { mapped } from './download';
import { ApiError, notFound } from './errors';
import { dataOf, pageOf, route, type Reply, type Route } from './route';
import {
  EXAMPLE_CREATOR_ID,
  EXAMPLE_VIDEO_ID,
  videoDetail,
  videoDetailExample,
  videoAccepted,
  videoDetailSchema,
  videoListItemSchema,
  videoReport,
  videoReportSchema,
  videoSnapshotExample,
  videoSnapshotItem,
  videoSnapshotSchema,
  videoTrackingAcceptedSchema,
  videoTrackingState,
  videoTrackingStateSchema,
  videoTrajectorySchema,
  videoTrajectoryView,
} from './schemas/videos';
import {
  patchTracking,
  registeredLifecycle,
  requireCycleCredits,
  snapshotWindow,
  startTracking,
  stopTracking,
} from './tracking';
import { pageJson, pageQuery, pagination, searchText, snapshotsQuery, uuidParam, uuidString } from './validation';

export const trackVideoBody = z.strictObject({
  url: z.string().min(1).max(2048),
  platform: z.enum(PLATFORMS),
  tracking_account_id: uuidString.optional(),
  scrape_cadence: z.enum(VIDEO_CADENCES).default(DEFAULT_CADENCE),
});

export const listVideosQuery = pageQuery(100, 20).extend({
  platform: z.enum(PLATFORMS).optional(),
  search: searchText(200).optional(),
});

export const patchVideoBody = z
  .strictObject({
    status: z.enum(['active', 'paused']).optional(),
    scrape_cadence: z.enum(VIDEO_CADENCES).optional(),
  })
  .refine((body) => body.status !== undefined || body.scrape_cadence !== undefined, {
    message: 'send status and/or scrape_cadence',
  })
  // the document says what the refinement enforces
  .meta({ minProperties: 1 } as never);

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

const accepted = (row: LifecycleColumns, message: string, status = 202): Reply => ({
  status,
  body: { data: videoAccepted(row, message) },
});

const ALREADY_TRACKED = 'Video is already tracked by this team; nothing was charged.';
const STARTED = 'Video tracking started. Initial metrics and AI report are being generated.';

const EXAMPLE_URL = 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345';

export interface VideosDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

export function videoRoutes({ pool, temporal, taskQueue }: VideosDeps): Route[] {
  const ownVideo = async (res: Response, id: string): Promise<VideoRow> => {
    const row = await findVideo(pool, auth(res).teamId, id);
    if (!row) throw notFound('Tracked video');
    return row;
  };

  const video = '/v1/tracking/videos/{id}';
  const notTracked = 'No tracked video with this id in the team';

  return [
    route({
      method: 'post',
      path: '/v1/tracking/videos',
      operationId: 'trackVideo',
      tag: 'Videos',
      summary: `Track a video (${CYCLE_COST} credits for the initial cycle); scrape_cadence may be \`adaptive\``,
      request: {
        body: trackVideoBody,
        bodyExample: {
          url: EXAMPLE_URL,
          platform: 'tiktok',
          tracking_account_id: EXAMPLE_CREATOR_ID,
          scrape_cadence: 'adaptive',
        },
      },
      responses: {
        202: {
          description: 'Tracking started; poll the video until `finalized`',
          schema: dataOf(videoTrackingAcceptedSchema),
          example: {
            data: {
              id: EXAMPLE_VIDEO_ID,
              status: 'active',
              message: STARTED,
              finalized: false,
              pending_jobs: [
                {
                  type: 'tracking_report',
                  status: 'processing',
                  poll_url: videoPath(EXAMPLE_VIDEO_ID),
                  result_path: 'data',
                  webhook_event: 'tracking.cycle.completed',
                  retry_after_seconds: 2,
                },
              ],
            },
          },
        },
        200: {
          description: 'The team already tracks this video; nothing charged',
          schema: dataOf(videoTrackingAcceptedSchema),
          example: {
            data: {
              id: EXAMPLE_VIDEO_ID,
              status: 'active',
              message: ALREADY_TRACKED,
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: {
        402: 'Insufficient credits for the first cycle',
        404: '`tracking_account_id` names no creator the team tracks',
      },
      handler: async ({ body, res }) => {
        const { teamId } = auth(res);
        const ref = videoRef(body);
        if (body.tracking_account_id) {
          const creator = await findCreator(pool, teamId, body.tracking_account_id);
          if (!creator || creator.deleted_at) throw notFound('Tracked creator');
        }
        const existing = await liveVideoByPlatformId(pool, teamId, ref.platform, ref.platformVideoId);
        if (existing) return accepted(existing, ALREADY_TRACKED, 200);
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
        if (result.registered) return accepted(registeredLifecycle(id), STARTED);
        const row = await findVideo(pool, teamId, result.existingId);
        if (!row) throw new Error(`video ${result.existingId} is tracked but has no row`);
        return accepted(row, ALREADY_TRACKED, 200);
      },
    }),

    route({
      method: 'get',
      path: '/v1/tracking/videos',
      operationId: 'listVideos',
      cached: true,
      tag: 'Videos',
      summary: 'List tracked videos, newest first',
      request: { query: listVideosQuery },
      responses: {
        200: {
          description: 'A page of videos with `pagination`',
          schema: pageOf(videoListItemSchema),
          example: {
            data: [
              {
                id: EXAMPLE_VIDEO_ID,
                platform: 'tiktok',
                url: EXAMPLE_URL,
                title: videoDetailExample.title,
                status: 'active',
                scrape_cadence: 'adaptive',
                latest_views: 4_812_300,
                latest_likes: 612_004,
                latest_comments: 8_120,
                latest_shares: 21_377,
                growth_rate: 38.2,
                enrichment_status: 'ready',
                last_scraped_at: '2026-12-01T12:00:00.000Z',
                next_scrape_at: '2026-12-01T14:00:00.000Z',
                created_at: '2026-11-30T12:00:00.000Z',
              },
            ],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      handler: async ({ query, res }) => {
        const { items, total } = await listVideos(pool, auth(res).teamId, query);
        return { status: 200, json: pageJson(items, pagination(query.page, query.limit, total)) };
      },
    }),

    route({
      method: 'get',
      path: video,
      operationId: 'getVideo',
      cached: true,
      tag: 'Videos',
      summary: 'Get a tracked video (stopped ones stay readable)',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The video, with its trajectory, `finalized` and `pending_jobs`',
          schema: dataOf(videoDetailSchema),
          example: { data: videoDetailExample },
        },
      },
      errors: { 404: notTracked },
      handler: async ({ params, res }) => ({
        status: 200,
        body: { data: videoDetail(await ownVideo(res, params.id)) },
      }),
    }),

    route({
      method: 'patch',
      path: video,
      operationId: 'updateVideo',
      tag: 'Videos',
      summary: 'Pause, resume or change the cadence',
      request: { params: uuidParam, body: patchVideoBody, bodyExample: { status: 'paused' } },
      responses: {
        200: {
          description: 'The new tracking state',
          schema: dataOf(videoTrackingStateSchema),
          example: {
            data: {
              id: EXAMPLE_VIDEO_ID,
              status: 'paused',
              pause_reason: 'manual',
              scrape_cadence: 'adaptive',
              next_scrape_at: null,
            },
          },
        },
      },
      errors: { 404: notTracked, 409: 'Tracking of the video has been stopped, or the change was refused' },
      handler: async ({ params, body, res }) => {
        const row = await ownVideo(res, params.id);
        if (row.deleted_at) throw new ApiError(409, 'conflict', `Tracking of video ${row.id} has been stopped`);
        const view = await patchTracking(temporal, { resourceType: 'video', id: row.id }, body);
        return { status: 200, body: { data: videoTrackingState(row, view) } };
      },
    }),

    route({
      method: 'delete',
      path: video,
      operationId: 'stopVideo',
      tag: 'Videos',
      summary: 'Stop tracking (soft delete); stopping a stopped video changes nothing',
      request: { params: uuidParam },
      responses: { 204: { description: 'Stopped; history stays readable' } },
      errors: { 404: notTracked, 409: 'The tracking workflow is gone' },
      handler: async ({ params, res }) => {
        const row = await ownVideo(res, params.id);
        if (!row.deleted_at) await stopTracking(temporal, { resourceType: 'video', id: row.id });
        return { status: 204 };
      },
    }),

    route({
      method: 'get',
      path: `${video}/snapshots`,
      operationId: 'listVideoSnapshots',
      cached: true,
      tag: 'Videos',
      summary: 'Metric snapshots with deltas: the most recent `limit` in the window, oldest first',
      request: { params: uuidParam, query: snapshotsQuery },
      responses: {
        200: {
          description: 'Snapshots, oldest first',
          schema: dataOf(z.array(videoSnapshotSchema)),
          example: { data: [videoSnapshotExample] },
        },
      },
      errors: { 404: notTracked },
      handler: async ({ params, query, res }) => {
        const items = await ownedVideoSnapshots(pool, auth(res).teamId, params.id, snapshotWindow(query));
        if (items === undefined) throw notFound('Tracked video');
        return { status: 200, json: `{"data":${items}}` };
      },
      download: {
        item: videoSnapshotSchema,
        filename: ({ params }) => `video-${params.id}-snapshots`,
        rows: async ({ params, query, res }) => {
          const row = await ownVideo(res, params.id);
          const window = snapshotWindow(query);
          return mapped(
            streamTrackedSnapshots<VideoSnapshotRow>(pool, VIDEO_TABLES, row.id, window),
            videoSnapshotItem,
          );
        },
      },
    }),

    route({
      method: 'get',
      path: `${video}/report`,
      operationId: 'getVideoReport',
      tag: 'Videos',
      summary: 'Latest video analysis: performance, sentiment, recommendations',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The report; `analysis` is null until the first one is generated',
          schema: dataOf(videoReportSchema),
          example: {
            data: {
              video: {
                id: EXAMPLE_VIDEO_ID,
                platform: 'tiktok',
                url: EXAMPLE_URL,
                title: videoDetailExample.title,
                latest_views: 4_812_300,
                latest_likes: 612_004,
              },
              analysis: {
                performance:
                  '4.8M views and 13.3% engagement ((likes + comments + shares) ÷ views), exceptional; velocity rose from 2.3M to 3.6M views/day over the last two intervals, about 9.6× the creator median of 502K views.',
                sentiment:
                  'Of 50 sampled comments, 72% positive, 4% negative, 24% neutral; laughter and praise dominate. Most-liked: "the face at the end 😂" (41K likes).',
                recommendations: [
                  'Post a follow-up in the same format within 48 hours while views/day is still rising (3.6M).',
                  'Pin a comment: 18% of sampled comments ask where the props come from.',
                ],
              },
              analysis_updated_at: '2026-12-01T12:00:03.870Z',
              model_used: 'heuristic-analyst-v1',
              enrichment_status: 'ready',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: notTracked },
      handler: async ({ params, res }) => {
        const row = await ownVideo(res, params.id);
        return { status: 200, body: { data: videoReport(row, await latestVideoReport(pool, row.id)) } };
      },
    }),

    route({
      method: 'get',
      path: `${video}/trajectory`,
      operationId: 'getVideoTrajectory',
      tag: 'Videos',
      summary: 'Views series with views/day, true velocity, acceleration and peaking',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The trajectory over the latest 365 snapshots',
          schema: dataOf(videoTrajectorySchema),
          example: {
            data: {
              id: EXAMPLE_VIDEO_ID,
              platform: 'tiktok',
              video_id: '7350123456789012345',
              snapshots: [
                { captured_at: '2026-11-30T12:00:00.000Z', views: 2_410_000, views_per_day: null },
                { captured_at: '2026-11-30T18:00:00.000Z', views: 2_731_900, views_per_day: 1_287_600 },
                { captured_at: '2026-12-01T06:00:00.000Z', views: 3_902_150, views_per_day: 2_340_500 },
                { captured_at: '2026-12-01T12:00:00.000Z', views: 4_812_300, views_per_day: 3_640_600 },
              ],
              metrics: { n: 4, true_vpd: 3_640_600, accel: 3_466_933.33, peaking: false, lifetime_vpd: 1_725_525.9 },
            },
          },
        },
      },
      errors: { 404: notTracked },
      handler: async ({ params, res }) => {
        const row = await ownVideo(res, params.id);
        const snapshots = await listVideoSnapshots(pool, row.id, { limit: TRAJECTORY_LIMIT });
        const trajectory = videoTrajectory(
          snapshots.map((s) => ({ captured_at: s.snapshot_at, views: s.views })),
          { publishedAt: row.published_at, now: row.last_scraped_at ?? new Date() },
        );
        return { status: 200, body: { data: videoTrajectoryView(row, trajectory) } };
      },
    }),
  ];
}
