import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findSatelliteJob, findSatelliteRun, listSatelliteRunVideos, listSatelliteRuns } from '../db/satellite';
import { PLATFORMS } from '../domain/platform';
import { HandleAttr, PlatformAttr, TeamIdAttr } from '../domain/search-attributes';
import {
  SOUND_DEFAULT_MAX_VIDEOS,
  SOUND_LOOKUP_COST,
  SOUND_MAX_VIDEOS,
  SOUND_TRENDS_SURCHARGE,
} from '../domain/sound-lookup';
import { InvalidInputError, normalizeHandle, parseMusicId, parseVideoUrl, type VideoRef } from '../domain/urls';
import {
  SATELLITE_TYPES,
  satelliteReservationUpdate,
  satelliteWorkflow,
  satelliteWorkflowId,
  VIDEO_OUTLIER_COST,
  type SatelliteInput,
  type SatelliteType,
} from '../workflows/satellite';
import { auth } from './auth';
import { ApiError, notFound } from './errors';
import { withTemporalDeadline } from './outages';
import { dataOf, pageOf, route, type Reply, type Route } from './route';
import {
  EXAMPLE_SATELLITE_JOB_ID,
  EXAMPLE_SATELLITE_RUN_ID,
  offsetPaginationSchema,
  satellitePendingJobExample,
  satellitePendingJobs,
  satelliteRun,
  satelliteRunItem,
  satelliteRunItemSchema,
  satelliteRunSchema,
  satelliteRunVideo,
  satelliteRunVideoSchema,
  satelliteStatusPath,
  satelliteVideoExample,
  satelliteJobStatus,
  soundLookupResult,
  soundLookupStartedSchema,
  soundLookupStatusSchema,
  videoOutlierInputExample,
  videoOutlierResultExample,
  videoOutlierStartedSchema,
  videoOutlierStatus,
  videoOutlierStatusSchema,
} from './schemas/satellite';
import { soundLookupResultExample } from './schemas/satellite-sounds';
import { requireCredits } from './tracking';
import { pageQuery, pagination, uuidString } from './validation';

export const videoOutlierBody = z.strictObject({
  url: z.string().min(1).max(2048).describe('the video’s full URL on the platform'),
  platform: z.enum(PLATFORMS),
  handle: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'the creator’s handle (or YouTube channel id), for a URL that does not name its creator: every YouTube URL, and ' +
        'Instagram `/reel/ID/` and `/p/ID/` URLs; when the URL names one too, both must agree',
    ),
});

export const satelliteJobParams = z.object({ job_id: uuidString });
export const satelliteRunParams = z.object({ run_id: uuidString });

export const listRunsQuery = pageQuery(100, 20).extend({
  type: z.enum(SATELLITE_TYPES).optional(),
  platform: z.enum(PLATFORMS).optional(),
});

/** `platform` is any platform the API knows, so a non-TikTok one gets a 400 that says sounds are TikTok only. */
export const soundLookupParams = z.object({
  platform: z.enum(PLATFORMS),
  music_id: z
    .string()
    .min(1)
    .max(2048)
    .describe(
      'the TikTok music id (the sounds endpoints’ `external_id`), or a TikTok sound URL ' +
        '(`https://www.tiktok.com/music/<name>-<id>`, URL-encoded into this path segment) or its last segment',
    ),
});

const queryBoolean = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .describe('`true` or `false`');

export const soundLookupQuery = z.object({
  trend_analysis: queryBoolean
    .default(false)
    .describe(
      `\`true\` adds LLM trend detection over a creator-diverse sample of up to 300 videos (+${SOUND_TRENDS_SURCHARGE} ` +
        'credits, not billed when the corpus is too small) and ignores `max_videos`',
    ),
  max_videos: z.coerce
    .number()
    .int()
    .min(1)
    .max(SOUND_MAX_VIDEOS)
    .default(SOUND_DEFAULT_MAX_VIDEOS)
    .describe(`videos to fetch when trend_analysis is false (1–${SOUND_MAX_VIDEOS})`),
});

export const runVideosQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/**
 * Seed 001's limits on starting a satellite job, per team and per start endpoint (a video outlier analysis and a
 * sound lookup each have their own budget); polling and run reads are not limited here.
 */
export const SATELLITE_START_RATE_LIMITS = [
  { per: 'minute', windowMs: 60_000, limit: 5 },
  { per: 'hour', windowMs: 3_600_000, limit: 30 },
  { per: 'day', windowMs: 86_400_000, limit: 200 },
] as const;

const badRequest = (path: 'url' | 'handle', message: string): ApiError =>
  new ApiError(400, 'invalid_request', `Invalid ${path}: ${message}`, [{ location: 'body', path, message }]);

/**
 * The video and its creator, resolved from the request without asking the platform: the URL must be a video of the
 * named platform, and the creator comes from the URL (TikTok URLs always name it, Instagram ones sometimes) or from
 * `handle`. Whether the video exists is only known once the job reads it (it then fails as `deleted`).
 */
export function resolveVideoOutlier(body: z.output<typeof videoOutlierBody>): { ref: VideoRef; handle: string } {
  let ref: VideoRef;
  try {
    ref = parseVideoUrl(body.url);
  } catch (err) {
    throw badRequest('url', (err as Error).message);
  }
  if (ref.platform !== body.platform) {
    throw badRequest('url', `the url is a ${ref.platform} video but platform is ${body.platform}`);
  }
  let handle = ref.authorHandle;
  if (body.handle !== undefined) {
    let given: string;
    try {
      given = normalizeHandle(body.platform, body.handle);
    } catch (err) {
      if (err instanceof InvalidInputError) throw badRequest('handle', err.message);
      throw err;
    }
    if (handle !== null && handle !== given) {
      throw badRequest('handle', `the url names the creator @${handle} but handle is @${given}`);
    }
    handle = given;
  }
  if (handle === null) {
    throw badRequest(
      'url',
      `the creator cannot be resolved: this ${body.platform} URL does not name its creator; send \`handle\` with it`,
    );
  }
  return { ref, handle };
}

const infoOf = (req: Request, property: string): RateLimitInfo | undefined =>
  (req as unknown as Record<string, RateLimitInfo | undefined>)[property];

function setLimitHeaders(res: Response, info: RateLimitInfo): void {
  res.set('X-RateLimit-Limit', String(info.limit));
  res.set('X-RateLimit-Remaining', String(info.remaining));
  if (info.resetTime) res.set('X-RateLimit-Reset', String(Math.ceil(info.resetTime.getTime() / 1000)));
}

const runMiddleware = (middleware: RequestHandler, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => {
    const next = (err?: unknown) => (err ? reject(err) : resolve());
    Promise.resolve(middleware(req, res, next)).catch(reject);
  });

/**
 * The three windows stacked, each counted per team in this process (like the per-key limit). Only starts that are
 * accepted count: a request answered 4xx (an invalid URL, a 402, a 429 itself) gives its hit back, so a typo or an
 * empty balance does not use up the budget. The `X-RateLimit-*` headers describe the window closest to refusing (the
 * one refusing, on a 429, with `Retry-After`).
 */
function startRateLimits(what: string): (req: Request, res: Response) => Promise<void> {
  const windows = SATELLITE_START_RATE_LIMITS.map((w) => {
    const property = `satelliteRateLimitPer_${w.per}`;
    const limiter = rateLimit({
      windowMs: w.windowMs,
      limit: w.limit,
      standardHeaders: false,
      legacyHeaders: false,
      skipFailedRequests: true,
      requestPropertyName: property,
      keyGenerator: (_req, res) => auth(res).teamId,
      handler: (req, res, next) => {
        const info = infoOf(req, property);
        if (info) {
          setLimitHeaders(res, info);
          const seconds = info.resetTime
            ? Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)
            : w.windowMs / 1000;
          res.set('Retry-After', String(Math.max(1, seconds)));
        }
        next(new ApiError(429, 'rate_limited', `Rate limit exceeded: ${w.limit} ${what} per ${w.per} per team`));
      },
    });
    return { property, limiter };
  });
  return async (req, res) => {
    for (const w of windows) await runMiddleware(w.limiter, req, res);
    const infos = windows.map((w) => infoOf(req, w.property)).filter((i) => i !== undefined);
    const closest = infos.reduce<RateLimitInfo | undefined>(
      (best, info) => (best === undefined || info.remaining < best.remaining ? info : best),
      undefined,
    );
    if (closest) setLimitHeaders(res, closest);
  };
}

const RATE_HEADERS = {
  'X-RateLimit-Limit': 'the limit of the window closest to refusing (5/minute, 30/hour, 200/day per team)',
  'X-RateLimit-Remaining': 'accepted starts left in that window (a refused or invalid request does not count)',
  'X-RateLimit-Reset': 'when that window resets, Unix seconds',
};

export interface SatelliteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
}

/** The Satellite routes: the video outlier job (start, status) and the durable runs every satellite job leaves. */
export function satelliteRoutes({ pool, temporal, taskQueue }: SatelliteDeps): Route[] {
  const limits = startRateLimits('video outlier analyses');
  const soundLimits = startRateLimits('sound lookups');

  /** Starts the workflow and waits for its reservation in one call: 202 only once the credits are held. */
  async function startJob(input: SatelliteInput): Promise<void> {
    const summary =
      input.type === 'video_outlier'
        ? `${input.platform} video outlier · @${input.request.handle}`
        : `tiktok sound lookup · ${input.request.musicId}${input.request.trendAnalysis ? ' · trends' : ''}`;
    const reservation = await withTemporalDeadline(temporal, () =>
      temporal.workflow.executeUpdateWithStart(satelliteReservationUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(satelliteWorkflow, {
          workflowId: satelliteWorkflowId(input.jobId),
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
          staticSummary: summary,
          typedSearchAttributes: [
            { key: TeamIdAttr, value: input.teamId },
            { key: PlatformAttr, value: input.platform },
            ...(input.type === 'video_outlier' ? [{ key: HandleAttr, value: input.request.handle }] : []),
          ],
        }),
      }),
    );
    if (reservation.reserved) return;
    if (reservation.reason === 'insufficient_credits') throw new ApiError(402, 'payment_required', reservation.message);
    throw new ApiError(409, 'conflict', `The job ended before its credits were reserved: ${reservation.message}`);
  }

  /** Starts the job and answers 202 with its poll_url and pending job (seed 004). */
  async function accepted(input: SatelliteInput, reservedCents: number): Promise<Reply> {
    await startJob(input);
    // the job is reserved and running: a failed read of its row must not turn that into an error
    const row = await findSatelliteJob(pool, input.teamId, input.type, input.jobId).catch(() => undefined);
    const pending = satellitePendingJobs({
      id: input.jobId,
      type: input.type,
      // one that ended already still lists itself: the 202 says it started, its poll_url says how it went
      status: 'processing',
      created_at: row?.created_at ?? new Date(),
    });
    return {
      status: 202,
      body: {
        data: {
          job_id: input.jobId,
          status: 'processing',
          credits_reserved: reservedCents,
          credit_unit: 'cent',
          poll_url: satelliteStatusPath(input.type, input.jobId),
          finalized: false,
          pending_jobs: pending,
        } satisfies z.output<typeof videoOutlierStartedSchema>,
      },
    };
  }

  /** A job of this type and team with its completed result, or 404 (another team's job looks missing). */
  async function jobStatus(teamId: string, type: SatelliteType, jobId: string, what: string) {
    const job = await findSatelliteJob(pool, teamId, type, jobId);
    if (!job) throw notFound(what);
    const run = job.run_id ? await findSatelliteRun(pool, teamId, job.run_id) : undefined;
    return { job, run };
  }

  /** Every video of a run, for the results that list them inline (a sound lookup's: at most 300). */
  const allRunVideos = (run: { id: string; video_count: number }) =>
    listSatelliteRunVideos(pool, run.id, { limit: Math.max(1, run.video_count), offset: 0 });

  const RUN = '/v1/satellite/runs/{run_id}';
  const NO_RUN = 'No such run, or another team’s';

  return [
    route({
      method: 'post',
      path: '/v1/satellite/video-outlier',
      operationId: 'startVideoOutlier',
      tag: 'Satellite',
      summary: `Start a video outlier analysis (${VIDEO_OUTLIER_COST} credits, refunded if it fails)`,
      description:
        'Reserves the credits, then compares the video with its creator’s ~100 most recent videos in the background; ' +
        'poll `poll_url` (every 2 s is fine) until `status` leaves `processing`. The URL and its creator are checked ' +
        'at once (400); whether the video exists is known only once the job reads it: it then fails with ' +
        '`error: "deleted"` and is refunded. Limited per team to 5 starts a minute, 30 an hour and 200 a day.',
      request: {
        body: videoOutlierBody,
        bodyExample: { url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345', platform: 'tiktok' },
      },
      responses: {
        202: {
          description: 'The analysis started with its credits reserved; poll `poll_url`',
          schema: dataOf(videoOutlierStartedSchema),
          headers: RATE_HEADERS,
          example: {
            data: {
              job_id: EXAMPLE_SATELLITE_JOB_ID,
              status: 'processing',
              credits_reserved: VIDEO_OUTLIER_COST,
              credit_unit: 'cent',
              poll_url: satelliteStatusPath('video_outlier', EXAMPLE_SATELLITE_JOB_ID),
              finalized: false,
              pending_jobs: [satellitePendingJobExample],
            },
          },
        },
      },
      errors: {
        402: `The balance cannot pay the ${VIDEO_OUTLIER_COST} credits`,
        409: 'The job was cancelled (an operator action) before its credits were reserved; nothing was charged',
      },
      handler: async ({ body, req, res }) => {
        const { teamId } = auth(res);
        await limits(req, res);
        const { ref, handle } = resolveVideoOutlier(body);
        await requireCredits(pool, teamId, VIDEO_OUTLIER_COST, 'a video outlier analysis');
        return accepted(
          {
            jobId: randomUUID(),
            teamId,
            platform: ref.platform,
            type: 'video_outlier',
            request: { submittedUrl: body.url, url: ref.canonicalUrl, platformVideoId: ref.platformVideoId, handle },
          },
          VIDEO_OUTLIER_COST,
        );
      },
    }),
    route({
      method: 'get',
      path: '/v1/satellite/video-outlier/status/{job_id}',
      operationId: 'getVideoOutlierStatus',
      tag: 'Satellite',
      summary: 'Video outlier analysis status and result (free)',
      description:
        '`processing`, then `completed` with `run_id` and `result` (`video`, `creator`, `analysis`) or `failed` with ' +
        '`error` (refunded). Job statuses are kept in Postgres and stay readable indefinitely (well past the 24 hours ' +
        'the contract promises); the result is also the durable run `GET /v1/satellite/runs/{run_id}`.',
      request: { params: satelliteJobParams },
      responses: {
        200: {
          description: 'processing, completed (with the result) or failed (with the error)',
          schema: dataOf(videoOutlierStatusSchema),
          example: {
            data: {
              job_id: EXAMPLE_SATELLITE_JOB_ID,
              status: 'completed',
              run_id: EXAMPLE_SATELLITE_RUN_ID,
              result: videoOutlierResultExample,
              credits_used: VIDEO_OUTLIER_COST,
              credit_unit: 'cent',
              created_at: '2026-12-01T12:00:00.412Z',
              completed_at: '2026-12-01T12:00:03.918Z',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: 'No such job, or another team’s' },
      handler: async ({ params, res }) => {
        const { teamId } = auth(res);
        const { job, run } = await jobStatus(teamId, 'video_outlier', params.job_id, 'Video outlier job');
        return { status: 200, body: { data: videoOutlierStatus(job, run) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/satellite/sounds/{platform}/{music_id}',
      // an empty music id is the same 400 as a blank one
      emptyParamPaths: ['/v1/satellite/sounds/{platform}/'],
      operationId: 'startSoundLookup',
      tag: 'Satellite',
      summary:
        `Start a TikTok sound lookup (${SOUND_LOOKUP_COST} credits, +${SOUND_TRENDS_SURCHARGE} with trend analysis; ` +
        'refunded if it fails)',
      description:
        'Reserves the credits, then reads the sound and the videos using it in the background; poll `poll_url` until ' +
        '`status` leaves `processing`. TikTok only: another platform is a 400. The music id is checked at once ' +
        '(400); whether the sound exists is known once the job reads it (it then fails as `deleted`, refunded). With ' +
        '`trend_analysis=true` the job reads up to the 25-page / 500-video cap, analyses a creator-diverse sample of ' +
        'up to 300 videos and reserves the surcharge too, which is refunded when the corpus is too small ' +
        '(`trends.status: "insufficient_corpus"`). Limited per team to 5 starts a minute, 30 an hour and 200 a day.',
      request: { params: soundLookupParams, query: soundLookupQuery },
      responses: {
        202: {
          description: 'The lookup started with its credits reserved; poll `poll_url`',
          schema: dataOf(soundLookupStartedSchema),
          headers: RATE_HEADERS,
          example: {
            data: {
              job_id: EXAMPLE_SATELLITE_JOB_ID,
              status: 'processing',
              credits_reserved: SOUND_LOOKUP_COST + SOUND_TRENDS_SURCHARGE,
              credit_unit: 'cent',
              poll_url: satelliteStatusPath('sound_lookup', EXAMPLE_SATELLITE_JOB_ID),
              finalized: false,
              pending_jobs: [
                {
                  ...satellitePendingJobExample,
                  type: 'sound_lookup',
                  poll_url: satelliteStatusPath('sound_lookup', EXAMPLE_SATELLITE_JOB_ID),
                },
              ],
            },
          },
        },
      },
      errors: {
        402: `The balance cannot pay ${SOUND_LOOKUP_COST} credits (${SOUND_LOOKUP_COST + SOUND_TRENDS_SURCHARGE} with trend analysis)`,
        409: 'The job was cancelled (an operator action) before its credits were reserved; nothing was charged',
      },
      handler: async ({ params, query, req, res }) => {
        const { teamId } = auth(res);
        await soundLimits(req, res);
        if (params.platform !== 'tiktok') {
          throw new ApiError(400, 'invalid_request', `Sound lookups are TikTok only, not ${params.platform}`, [
            { location: 'path', path: 'platform', message: 'only tiktok is supported' },
          ]);
        }
        let musicId: string;
        try {
          musicId = parseMusicId(params.music_id);
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          throw new ApiError(400, 'invalid_request', `Invalid music_id: ${err.message}`, [
            { location: 'path', path: 'music_id', message: err.message },
          ]);
        }
        const cost = SOUND_LOOKUP_COST + (query.trend_analysis ? SOUND_TRENDS_SURCHARGE : 0);
        await requireCredits(pool, teamId, cost, 'a sound lookup');
        return accepted(
          {
            jobId: randomUUID(),
            teamId,
            platform: 'tiktok',
            type: 'sound_lookup',
            request: {
              submitted: params.music_id,
              musicId,
              trendAnalysis: query.trend_analysis,
              maxVideos: query.max_videos,
            },
          },
          cost,
        );
      },
    }),
    route({
      method: 'get',
      path: '/v1/satellite/sounds/status/{job_id}',
      // matched before the lookup's empty form above would read `status` as a platform
      emptyParamPaths: ['/v1/satellite/sounds/status/'],
      operationId: 'getSoundLookupStatus',
      tag: 'Satellite',
      summary: 'Sound lookup status and result (free)',
      description:
        '`processing`, then `completed` with `run_id` and `result` (`request`, `sound`, `data_captured_at`, `stats`, ' +
        '`sample_quality`, `trends`, `videos`) or `failed` with `error` (refunded). Statuses are kept in Postgres and ' +
        'stay readable indefinitely; the result is also the durable run `GET /v1/satellite/runs/{run_id}`.',
      request: { params: satelliteJobParams },
      responses: {
        200: {
          description: 'processing, completed (with the result) or failed (with the error)',
          schema: dataOf(soundLookupStatusSchema),
          example: {
            data: {
              job_id: EXAMPLE_SATELLITE_JOB_ID,
              status: 'completed',
              run_id: EXAMPLE_SATELLITE_RUN_ID,
              result: soundLookupResultExample,
              credits_used: SOUND_LOOKUP_COST,
              credit_unit: 'cent',
              created_at: '2026-12-01T12:00:00.412Z',
              completed_at: '2026-12-01T12:00:41.918Z',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: 'No such job, or another team’s' },
      handler: async ({ params, res }) => {
        const teamId = auth(res).teamId;
        const { job, run } = await jobStatus(teamId, 'sound_lookup', params.job_id, 'Sound lookup job');
        const result = run ? soundLookupResult(run, await allRunVideos(run)) : undefined;
        return { status: 200, body: { data: satelliteJobStatus(job, result) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/satellite/runs',
      operationId: 'listSatelliteRuns',
      tag: 'Satellite',
      summary: 'The team’s satellite runs, newest first (free)',
      description:
        'Every completed satellite job leaves a run, kept for good. Filter by `type` and `platform`; read a run for ' +
        'its result.',
      request: { query: listRunsQuery },
      responses: {
        200: {
          description: 'A page of runs with `pagination`',
          schema: pageOf(satelliteRunItemSchema),
          example: {
            data: [
              {
                run_id: EXAMPLE_SATELLITE_RUN_ID,
                job_id: EXAMPLE_SATELLITE_JOB_ID,
                platform: 'tiktok',
                video_count: 100,
                created_at: '2026-12-01T12:00:03.918Z',
                type: 'video_outlier',
                input: videoOutlierInputExample,
              },
            ],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      handler: async ({ query, res }) => {
        const { teamId } = auth(res);
        const { rows, total } = await listSatelliteRuns(
          pool,
          teamId,
          { type: query.type, platform: query.platform },
          { page: query.page, limit: query.limit },
        );
        return {
          status: 200,
          body: { data: rows.map(satelliteRunItem), pagination: pagination(query.page, query.limit, total) },
        };
      },
    }),
    route({
      method: 'get',
      path: RUN,
      operationId: 'getSatelliteRun',
      tag: 'Satellite',
      summary: 'One satellite run with its result (free, forever)',
      description: 'The result exactly as the completed status poll showed it, with what was asked (`input`).',
      request: { params: satelliteRunParams },
      responses: {
        200: {
          description: 'The run',
          schema: dataOf(satelliteRunSchema),
          example: {
            data: {
              run_id: EXAMPLE_SATELLITE_RUN_ID,
              job_id: EXAMPLE_SATELLITE_JOB_ID,
              platform: 'tiktok',
              video_count: 100,
              created_at: '2026-12-01T12:00:03.918Z',
              type: 'video_outlier',
              status: 'completed',
              input: videoOutlierInputExample,
              result: videoOutlierResultExample,
            },
          },
        },
      },
      errors: { 404: NO_RUN },
      handler: async ({ params, res }) => {
        const run = await findSatelliteRun(pool, auth(res).teamId, params.run_id);
        if (!run) throw notFound('Satellite run');
        const videos = run.type === 'sound_lookup' ? await allRunVideos(run) : [];
        return { status: 200, body: { data: satelliteRun(run, videos) } };
      },
    }),
    route({
      method: 'get',
      path: `${RUN}/videos`,
      operationId: 'listSatelliteRunVideos',
      tag: 'Satellite',
      summary: 'A slice of the videos a run rests on (free)',
      description:
        'For a video outlier run: the creator’s most recent videos the analysis compared the video with, newest ' +
        'first; for a sound lookup run: the result’s `videos`, in their order. `limit` 1–100 (default 50), `offset` ' +
        'from 0.',
      request: { params: satelliteRunParams, query: runVideosQuery },
      responses: {
        200: {
          description: 'The slice, with `pagination` (`limit`, `offset`, `total`, `has_more`)',
          schema: z.object({ data: z.array(satelliteRunVideoSchema), pagination: offsetPaginationSchema }),
          example: {
            data: [{ ...satelliteVideoExample, position: 0 }],
            pagination: { limit: 50, offset: 0, total: 1, has_more: false },
          },
        },
      },
      errors: { 404: NO_RUN },
      handler: async ({ params, query, res }) => {
        const run = await findSatelliteRun(pool, auth(res).teamId, params.run_id);
        if (!run) throw notFound('Satellite run');
        const videos = await listSatelliteRunVideos(pool, run.id, { limit: query.limit, offset: query.offset });
        return {
          status: 200,
          body: {
            data: videos.map(satelliteRunVideo),
            pagination: {
              limit: query.limit,
              offset: query.offset,
              total: run.video_count,
              has_more: query.offset + videos.length < run.video_count,
            },
          },
        };
      },
    }),
  ];
}
