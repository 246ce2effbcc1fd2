import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  activeJobs,
  audienceSnapshotById,
  findJob,
  freshAudienceSnapshot,
  listAudienceSnapshots,
  streamAudienceSnapshots,
} from '../db/jobs';
import { findPost, listPosts, postPublishDates, POST_SORTS, streamPosts } from '../db/posts';
import type { CreatorRow } from '../db/creators';
import {
  AUDIENCE_REFRESH_COST,
  COLLECTION_COSTS,
  COLLECTION_DEPTHS,
  COLLECTION_MAX_VIDEOS,
  DEFAULT_COLLECTION_DEPTH,
} from '../domain/costs';
import { postingCadence } from '../domain/posting-cadence';
import { refreshAudienceUpdate, startCollectionUpdate, type JobStart } from '../workflows/messages';
import { ownCreator } from './creators';
import { mapped } from './download';
import { ApiError, notFound } from './errors';
import { dataOf, pageOf, route, type Route } from './route';
import { EXAMPLE_CREATOR_ID } from './schemas/creators';
import {
  audienceDemographicsSchema,
  audienceGeographySchema,
  audienceJobItem,
  audienceJobSchema,
  audiencePendingJobs,
  audienceRefreshCachedSchema,
  audienceRefreshStartedSchema,
  audienceSnapshotExample,
  audienceSnapshotItem,
  audienceSnapshotSchema,
  collectionItem,
  collectionPendingJobs,
  collectionSchema,
  collectionStartedSchema,
} from './schemas/jobs';
import {
  postDetail,
  postDetailSchema,
  postingCadenceSchema,
  postListItem,
  postListItemExample,
  postListItemSchema,
} from './schemas/posts';
import { refuseInvertedRange, requireCredits, trackingWorkflowId, update } from './tracking';
import { dateRange, pageQuery, pagination, uuidParam, uuidString } from './validation';

export const listPostsQuery = pageQuery(200, 50).extend({
  ...dateRange,
  sort: z.enum(POST_SORTS).default('publish_date_desc'),
});

export const collectPostsBody = z.strictObject({
  depth: z.enum(COLLECTION_DEPTHS).default(DEFAULT_COLLECTION_DEPTH),
});

/** how old a cached audience snapshot may be by default (seed 000) */
export const DEFAULT_FRESHNESS_DAYS = 30;
/** JSON bodies carry real numbers: no coercion, so `false`, `""` or `[]` are refused rather than read as 0 days */
const freshnessDays = z.number().int().min(0).max(3650).default(DEFAULT_FRESHNESS_DAYS);

export const audienceRefreshBody = z.strictObject({
  freshness_days: freshnessDays,
  force: z.boolean().default(false),
});

/** a query parameter is text: digits only, so an empty `freshness_days=` is refused rather than read as 0 */
export const audienceReadQuery = z.object({
  freshness_days: z
    .string()
    .regex(/^\d{1,4}$/, { error: 'must be a whole number of days' })
    .transform(Number)
    .pipe(z.number().int().max(3650))
    .default(DEFAULT_FRESHNESS_DAYS),
});

export const postParams = z.object({ post_id: uuidString });
export const collectionParams = z.object({ collection_id: uuidString });
export const audienceJobParams = z.object({ job_id: uuidString });

function refusedWhenStopped(row: CreatorRow): void {
  if (row.status === 'stopped' || row.deleted_at) {
    throw new ApiError(409, 'conflict', `Tracking of creator ${row.id} has been stopped`);
  }
}

const jobInProgress = (message: string, runningJobId: string): ApiError =>
  new ApiError(409, 'conflict', message, { running_job_id: runningJobId });

/** A child job that could not reserve: 402 when the balance was short, 409 when another is running. */
function refused(start: JobStart): never {
  if (start.reserved) throw new Error('refused() called for a reserved job');
  if (start.reason === 'insufficient_credits') throw new ApiError(402, 'payment_required', start.message);
  throw jobInProgress(start.message, start.jobId);
}

const CREATOR = '/v1/tracking/creators/{id}';
const NOT_FOUND = 'No such creator, or another team’s';
const STOPPED = 'Tracking of the creator has been stopped';

const EXAMPLE_BASE = `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`;
const EXAMPLE_COLLECTION_ID = '3f9a1c2e-8d4b-4e6f-a1b2-c3d4e5f60718';
const EXAMPLE_JOB_ID = 'c7d8e9f0-1a2b-4c3d-9e4f-5a6b7c8d9e0f';

const examplePendingJob = (type: 'audience_demographics' | 'audience_geography') => ({
  type,
  status: 'processing',
  job_id: EXAMPLE_JOB_ID,
  poll_url: `${EXAMPLE_BASE}/audience-refresh/${EXAMPLE_JOB_ID}`,
  result_path: 'data.snapshot',
  webhook_event: 'audience.snapshot.completed',
  failure_webhook_event: 'audience.snapshot.failed',
  started_at: '2026-11-30T10:15:02.440Z',
  retry_after_seconds: 3,
});

const exampleCollectionPendingJob = {
  type: 'post_collection',
  status: 'processing',
  job_id: EXAMPLE_COLLECTION_ID,
  poll_url: `${EXAMPLE_BASE}/posts/collect/${EXAMPLE_COLLECTION_ID}`,
  result_path: 'data',
  webhook_event: 'posts.collection.completed',
  failure_webhook_event: 'posts.collection.failed',
  started_at: '2026-11-30T10:02:41.107Z',
  retry_after_seconds: 3,
};

export function creatorJobRoutes({ pool, temporal }: { pool: Pool; temporal: Client }): Route[] {
  const creator = (id: string) => temporal.workflow.getHandle(trackingWorkflowId({ resourceType: 'creator', id }));

  /** The two halves of the latest audience snapshot fresh enough, with any refresh in flight. */
  const audienceRead = (half: 'demographics' | 'geography') =>
    route({
      method: 'get',
      path: `${CREATOR}/audience-${half}`,
      operationId: half === 'demographics' ? 'getAudienceDemographics' : 'getAudienceGeography',
      tag: 'Creator jobs',
      summary: `Cached audience ${half} (free)`,
      description:
        (half === 'demographics' ? 'Age, gender and language' : 'Countries and cities') +
        ' of the newest audience snapshot no older than `freshness_days` (default 30). `data` is always an object ' +
        'with `finalized` and `pending_jobs`: `snapshot` and `is_stale` are null when no snapshot is fresh enough, ' +
        'and a refresh in flight is in `pending_jobs` (poll its `poll_url` until `data.finalized`, then read ' +
        '`data.snapshot`). Start one with `POST .../audience-refresh`.',
      request: { params: uuidParam, query: audienceReadQuery },
      responses: {
        200: {
          description: 'The latest snapshot fresh enough, or `snapshot: null`; any refresh in flight in `pending_jobs`',
          schema: dataOf(half === 'demographics' ? audienceDemographicsSchema : audienceGeographySchema),
          example: {
            data: {
              platform: 'tiktok',
              handle: 'khaby.lame',
              snapshot:
                half === 'demographics'
                  ? { ...audienceSnapshotExample, country_distribution: null, city_distribution: null }
                  : {
                      ...audienceSnapshotExample,
                      age_distribution: null,
                      gender_distribution: null,
                      language_distribution: null,
                    },
              is_stale: false,
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: NOT_FOUND },
      handler: async ({ params, query, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const [snapshot, running] = await Promise.all([
          freshAudienceSnapshot(pool, row.id, query.freshness_days),
          activeJobs(pool, row.id, 'audience_refresh'),
        ]);
        const pending = audiencePendingJobs(row.id, running, `audience_${half}`);
        const latest = snapshot ? audienceSnapshotItem(snapshot) : null;
        // one shape with or without a snapshot: the result fields are null until one is fresh enough, and the
        // async fields always sit inside `data`, where the polling loop reads them
        return {
          status: 200,
          body: {
            data: {
              platform: row.platform,
              handle: row.platform_handle,
              snapshot:
                latest === null
                  ? null
                  : half === 'demographics'
                    ? { ...latest, country_distribution: null, city_distribution: null }
                    : { ...latest, age_distribution: null, gender_distribution: null, language_distribution: null },
              // older than the default 30-day cache window: served only when freshness_days asked for it, and flagged
              is_stale: snapshot
                ? Date.now() - snapshot.snapshot_at.getTime() > DEFAULT_FRESHNESS_DAYS * 86_400_000
                : null,
              finalized: pending.length === 0,
              pending_jobs: pending,
            },
          },
        };
      },
    });

  return [
    route({
      method: 'get',
      path: `${CREATOR}/posts`,
      operationId: 'listCreatorPosts',
      tag: 'Creators',
      summary: 'List collected posts',
      description:
        'Posts arrive with each tracking cycle and with `POST .../posts/collect`. `end_date` as a date includes that ' +
        'whole day (UTC); an inverted range is a 400.',
      request: { params: uuidParam, query: listPostsQuery },
      responses: {
        200: {
          description: 'A page of posts with `pagination`',
          schema: pageOf(postListItemSchema),
          example: {
            data: [postListItemExample],
            pagination: { page: 1, limit: 50, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      errors: { 404: NOT_FOUND },
      handler: async ({ params, query, res }) => {
        const row = await ownCreator(pool, res, params.id);
        refuseInvertedRange(query);
        const { rows, total } = await listPosts(pool, row.id, {
          page: query.page,
          limit: query.limit,
          start: query.start_date,
          end: query.end_date,
          sort: query.sort,
        });
        return {
          status: 200,
          body: { data: rows.map(postListItem), pagination: pagination(query.page, query.limit, total) },
        };
      },
      download: {
        item: postListItemSchema,
        filename: ({ params }) => `creator-${params.id}-posts`,
        rows: async ({ params, query, res }) => {
          const row = await ownCreator(pool, res, params.id);
          refuseInvertedRange(query);
          const filters = { start: query.start_date, end: query.end_date, sort: query.sort };
          return mapped(streamPosts(pool, row.id, filters), postListItem);
        },
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/audience-snapshots`,
      operationId: 'listAudienceSnapshots',
      tag: 'Creator jobs',
      summary: 'Every audience snapshot of the creator, newest first (free)',
      description:
        'The history the audience refreshes wrote, both halves of each snapshot. `audience-demographics` and ' +
        '`audience-geography` read the newest one.',
      request: { params: uuidParam, query: pageQuery(100, 20) },
      responses: {
        200: {
          description: 'A page of audience snapshots with `pagination`',
          schema: pageOf(audienceSnapshotSchema),
          example: {
            data: [audienceSnapshotExample],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      errors: { 404: NOT_FOUND },
      handler: async ({ params, query, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const { rows, total } = await listAudienceSnapshots(pool, row.id, query);
        return {
          status: 200,
          body: { data: rows.map(audienceSnapshotItem), pagination: pagination(query.page, query.limit, total) },
        };
      },
      download: {
        item: audienceSnapshotSchema,
        filename: ({ params }) => `creator-${params.id}-audience-snapshots`,
        rows: async ({ params, res }) => {
          const row = await ownCreator(pool, res, params.id);
          return mapped(streamAudienceSnapshots(pool, row.id), audienceSnapshotItem);
        },
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/posts/collect/{collection_id}`,
      operationId: 'getPostCollection',
      tag: 'Creator jobs',
      summary: 'Collection status',
      description:
        'Poll until `finalized` (the collection completed or failed); while it runs, `pending_jobs` lists it. Its end ' +
        'records `posts.collection.completed` or `posts.collection.failed`.',
      request: { params: uuidParam.extend(collectionParams.shape) },
      responses: {
        200: {
          description: 'processing, completed or failed, with progress',
          schema: dataOf(collectionSchema),
          example: {
            data: {
              collection_id: EXAMPLE_COLLECTION_ID,
              status: 'completed',
              depth: 'standard',
              videos_collected: 50,
              max_videos: 50,
              credits_reserved: 50,
              credits_used: 50,
              error: null,
              error_message: null,
              started_at: '2026-11-30T10:02:41.107Z',
              completed_at: '2026-11-30T10:03:19.552Z',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: 'No such creator or collection, or another team’s' },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const job = await findJob(pool, row.id, 'post_collection', params.collection_id);
        if (!job) throw notFound('Collection');
        return { status: 200, body: { data: collectionItem(job) } };
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/posts/{post_id}`,
      operationId: 'getCreatorPost',
      tag: 'Creators',
      summary: 'One collected post with description and duration',
      request: { params: uuidParam.extend(postParams.shape) },
      responses: {
        200: {
          description: 'The post',
          schema: dataOf(postDetailSchema),
          example: {
            data: {
              ...postListItemExample,
              description: 'When the life hack is too complicated #learnfromkhaby #lifehack',
              thumbnail_url: 'https://p16-sign.tiktokcdn.com/obj/7441234567890123456.jpeg',
              duration_seconds: 14,
            },
          },
        },
      },
      errors: { 404: 'No such creator or post, or another team’s' },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const post = await findPost(pool, row.id, params.post_id);
        if (!post) throw notFound('Post');
        return { status: 200, body: { data: postDetail(post) } };
      },
    }),
    route({
      method: 'post',
      path: `${CREATOR}/posts/collect`,
      operationId: 'collectCreatorPosts',
      tag: 'Creator jobs',
      summary: 'Collect posts: standard 50 (50 credits), deep 200 (100), full 500 (200)',
      description:
        'Reserves the depth’s credits and collects in the background; poll `poll_url` until it leaves ' +
        '`processing`. One collection runs at a time per creator.',
      request: { params: uuidParam, body: collectPostsBody, bodyExample: { depth: 'deep' } },
      responses: {
        202: {
          description: 'Collection started; poll `poll_url`',
          schema: dataOf(collectionStartedSchema),
          example: {
            data: {
              collection_id: EXAMPLE_COLLECTION_ID,
              status: 'processing',
              depth: 'deep',
              max_videos: 200,
              credits_reserved: 100,
              credit_unit: 'cent',
              poll_url: `${EXAMPLE_BASE}/posts/collect/${EXAMPLE_COLLECTION_ID}`,
              finalized: false,
              pending_jobs: [exampleCollectionPendingJob],
            },
          },
        },
      },
      errors: {
        402: 'The balance cannot pay the collection',
        404: NOT_FOUND,
        409: 'A collection is already running (its id in `details.running_job_id`), or tracking stopped',
      },
      handler: async ({ params, body, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const { depth } = body;
        refusedWhenStopped(row);
        const running = await activeJobs(pool, row.id, 'post_collection');
        if (running[0]) {
          throw jobInProgress(`Collection ${running[0].id} is still running for this creator`, running[0].id);
        }
        await requireCredits(pool, row.team_id, COLLECTION_COSTS[depth], `a ${depth} collection`);
        const start = await update(temporal, `creator ${row.id}`, () =>
          creator(row.id).executeUpdate(startCollectionUpdate, { args: [{ depth }] }),
        );
        if (!start.reserved) refused(start);
        // the collection is reserved and running: a failed read of its row must not turn that into an error
        const job = (await findJob(pool, row.id, 'post_collection', start.jobId).catch(() => undefined)) ?? {
          id: start.jobId,
          tracking_account_id: row.id,
          started_at: null,
        };
        // one that ended already still lists itself: the 202 says it was started, and its poll_url says how it went
        const pending = collectionPendingJobs({ ...job, status: 'processing' });
        return {
          status: 202,
          body: {
            data: {
              collection_id: start.jobId,
              status: 'processing',
              depth,
              max_videos: COLLECTION_MAX_VIDEOS[depth],
              credits_reserved: COLLECTION_COSTS[depth],
              credit_unit: 'cent',
              poll_url: `/v1/tracking/creators/${row.id}/posts/collect/${start.jobId}`,
              finalized: false,
              pending_jobs: pending,
            } satisfies z.output<typeof collectionStartedSchema>,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/posting-cadence`,
      operationId: 'getPostingCadence',
      tag: 'Creators',
      summary: 'Posting frequency from the collected posts',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'Gaps, rates and day-of-week counts; zeros and a message before any post',
          schema: dataOf(postingCadenceSchema),
          example: {
            data: {
              total_posts: 50,
              avg_days_between_posts: 1.67,
              posts_per_week: 4.2,
              posts_per_month: 18.26,
              day_of_week_distribution: { 0: 5, 1: 6, 2: 11, 3: 7, 4: 6, 5: 10, 6: 5 },
              earliest_post_date: '2026-09-01T17:12:00.000Z',
              latest_post_date: '2026-11-28T18:30:00.000Z',
            },
          },
        },
      },
      errors: { 404: NOT_FOUND },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const cadence = postingCadence(await postPublishDates(pool, row.id));
        return {
          status: 200,
          body: {
            data: {
              ...cadence,
              ...(cadence.total_posts === 0
                ? {
                    message:
                      'No posts collected yet: posts arrive with each tracking cycle, or on demand with ' +
                      `POST /v1/tracking/creators/${row.id}/posts/collect`,
                  }
                : {}),
            } satisfies z.output<typeof postingCadenceSchema>,
          },
        };
      },
    }),
    route({
      method: 'post',
      path: `${CREATOR}/audience-refresh`,
      operationId: 'refreshCreatorAudience',
      tag: 'Creator jobs',
      summary: 'Cache-first audience snapshot (50 credits on a miss)',
      description:
        'Answers 200 from a snapshot no older than `freshness_days`, free; otherwise starts a refresh (or joins the ' +
        'one running, without charging again) and answers 202. `force` skips the cache.',
      request: {
        params: uuidParam,
        body: audienceRefreshBody,
        bodyExample: { freshness_days: 7, force: false },
      },
      responses: {
        200: {
          description: 'A cached snapshot, free',
          schema: dataOf(audienceRefreshCachedSchema),
          example: {
            data: {
              source: 'cache',
              snapshot: audienceSnapshotExample,
              job_id: null,
              status: null,
              credits_used: 0,
              creator_id: EXAMPLE_CREATOR_ID,
              credit_unit: 'cent',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
        202: {
          description: 'A refresh job started or joined; poll `pending_jobs[0].poll_url`',
          schema: dataOf(audienceRefreshStartedSchema),
          example: {
            data: {
              source: 'job',
              snapshot: null,
              job_id: EXAMPLE_JOB_ID,
              status: 'processing',
              joined: false,
              credits_used: 50,
              creator_id: EXAMPLE_CREATOR_ID,
              credit_unit: 'cent',
              finalized: false,
              pending_jobs: [examplePendingJob('audience_demographics')],
            },
          },
        },
      },
      errors: {
        402: 'The balance cannot pay the refresh',
        404: NOT_FOUND,
        409: STOPPED,
      },
      handler: async ({ params, body, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const cached = body.force ? undefined : await freshAudienceSnapshot(pool, row.id, body.freshness_days);
        if (cached) {
          return {
            status: 200,
            body: {
              data: {
                source: 'cache',
                snapshot: audienceSnapshotItem(cached),
                job_id: null,
                status: null,
                credits_used: 0,
                creator_id: row.id,
                credit_unit: 'cent',
                finalized: true,
                pending_jobs: [],
              } satisfies z.output<typeof audienceRefreshCachedSchema>,
            },
          };
        }
        refusedWhenStopped(row);
        // a refresh already running is joined without asking for credits again
        if ((await activeJobs(pool, row.id, 'audience_refresh')).length === 0) {
          await requireCredits(pool, row.team_id, AUDIENCE_REFRESH_COST, 'an audience refresh');
        }
        const start = await update(temporal, `creator ${row.id}`, () =>
          creator(row.id).executeUpdate(refreshAudienceUpdate),
        );
        if (!start.reserved) refused(start);
        // the job is charged and running: a failed read of its row must not turn that into an error
        const job = (await findJob(pool, row.id, 'audience_refresh', start.jobId).catch(() => undefined)) ?? {
          id: start.jobId,
          started_at: null,
        };
        // a joined refresh lists itself exactly as a new one does, and so does one that ended since the Update
        // answered: the 202 says it is running, and its poll_url tells how it ended
        const pending = audiencePendingJobs(row.id, [{ ...job, status: 'processing' }], 'audience_demographics');
        return {
          status: 202,
          body: {
            data: {
              source: 'job',
              snapshot: null,
              job_id: start.jobId,
              status: 'processing',
              joined: start.joined,
              credits_used: start.joined ? 0 : AUDIENCE_REFRESH_COST,
              creator_id: row.id,
              credit_unit: 'cent',
              finalized: false,
              pending_jobs: pending,
            } satisfies z.output<typeof audienceRefreshStartedSchema>,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: `${CREATOR}/audience-refresh/{job_id}`,
      operationId: 'getAudienceRefresh',
      tag: 'Creator jobs',
      summary: 'Audience refresh job status',
      description:
        'Poll until `finalized` (the refresh completed or failed), then read `data.snapshot`; while it runs, ' +
        '`pending_jobs` lists it. Its end records `audience.snapshot.completed` or `audience.snapshot.failed`.',
      request: { params: uuidParam.extend(audienceJobParams.shape) },
      responses: {
        200: {
          description: 'processing, completed (with snapshot) or failed (with error)',
          schema: dataOf(audienceJobSchema),
          example: {
            data: {
              job_id: EXAMPLE_JOB_ID,
              status: 'completed',
              error: null,
              error_message: null,
              snapshot: audienceSnapshotExample,
              credits_used: 50,
              credit_unit: 'cent',
              started_at: '2026-11-29T14:01:52.310Z',
              completed_at: '2026-11-29T14:02:11.402Z',
              finalized: true,
              pending_jobs: [],
            },
          },
        },
      },
      errors: { 404: 'No such creator or job, or another team’s' },
      handler: async ({ params, res }) => {
        const row = await ownCreator(pool, res, params.id);
        const job = await findJob(pool, row.id, 'audience_refresh', params.job_id);
        if (!job) throw notFound('Audience refresh job');
        const snapshot = job.snapshot_id ? await audienceSnapshotById(pool, job.snapshot_id) : undefined;
        return { status: 200, body: { data: audienceJobItem(job, snapshot) } };
      },
    }),
    audienceRead('demographics'),
    audienceRead('geography'),
  ];
}
