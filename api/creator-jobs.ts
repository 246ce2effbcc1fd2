import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  activeJobs,
  audienceJobItem,
  audiencePendingJobs,
  audienceSnapshotById,
  audienceSnapshotItem,
  collectionItem,
  findJob,
  freshAudienceSnapshot,
} from '../db/jobs';
import { findPost, listPosts, postDetail, postListItem, postPublishDates, POST_SORTS } from '../db/posts';
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
import { ApiError, notFound } from './errors';
import { refuseInvertedRange, requireCredits, trackingWorkflowId, update } from './tracking';
import { isoDate, isoEndDate, pageQuery, pagination, parsePart } from './validation';

export const listPostsQuery = pageQuery(200, 50).extend({
  start_date: isoDate.optional(),
  end_date: isoEndDate.optional(),
  sort: z.enum(POST_SORTS).default('publish_date_desc'),
});

export const collectPostsBody = z.strictObject({
  depth: z.enum(COLLECTION_DEPTHS).default(DEFAULT_COLLECTION_DEPTH),
});

/** how old a cached audience snapshot may be by default (seed 000) */
export const DEFAULT_FRESHNESS_DAYS = 30;
const freshnessDays = z.coerce.number().int().min(0).max(3650).default(DEFAULT_FRESHNESS_DAYS);

export const audienceRefreshBody = z.strictObject({
  freshness_days: freshnessDays,
  force: z.boolean().default(false),
});

export const audienceReadQuery = z.object({ freshness_days: freshnessDays });

export const postParams = z.object({ post_id: z.uuid({ error: 'must be a UUID' }) });
export const collectionParams = z.object({ collection_id: z.uuid({ error: 'must be a UUID' }) });
export const audienceJobParams = z.object({ job_id: z.uuid({ error: 'must be a UUID' }) });

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

export function creatorJobsRouter({ pool, temporal }: { pool: Pool; temporal: Client }): Router {
  const router = Router();
  const creator = (id: string) => temporal.workflow.getHandle(trackingWorkflowId({ resourceType: 'creator', id }));
  const base = '/v1/tracking/creators/:id';

  router.get(`${base}/posts`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const query = parsePart('query', listPostsQuery, req.query);
    refuseInvertedRange(query);
    const { rows, total } = await listPosts(pool, row.id, {
      page: query.page,
      limit: query.limit,
      start: query.start_date,
      end: query.end_date,
      sort: query.sort,
    });
    res.json({ data: rows.map(postListItem), pagination: pagination(query.page, query.limit, total) });
  });

  router.get(`${base}/posts/collect/:collection_id`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const { collection_id } = parsePart('path', collectionParams, req.params);
    const job = await findJob(pool, row.id, 'post_collection', collection_id);
    if (!job) throw notFound('Collection');
    res.json({ data: collectionItem(job) });
  });

  router.get(`${base}/posts/:post_id`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const { post_id } = parsePart('path', postParams, req.params);
    const post = await findPost(pool, row.id, post_id);
    if (!post) throw notFound('Post');
    res.json({ data: postDetail(post) });
  });

  router.post(`${base}/posts/collect`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const { depth } = parsePart('body', collectPostsBody, req.body);
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
    res.status(202).json({
      data: {
        collection_id: start.jobId,
        status: 'processing',
        depth,
        max_videos: COLLECTION_MAX_VIDEOS[depth],
        credits_reserved: COLLECTION_COSTS[depth],
        credit_unit: 'cent',
        poll_url: `/v1/tracking/creators/${row.id}/posts/collect/${start.jobId}`,
      },
    });
  });

  router.get(`${base}/posting-cadence`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const cadence = postingCadence(await postPublishDates(pool, row.id));
    res.json({
      data: {
        ...cadence,
        ...(cadence.total_posts === 0
          ? {
              message:
                'No posts collected yet: posts arrive with each tracking cycle, or on demand with ' +
                `POST /v1/tracking/creators/${row.id}/posts/collect`,
            }
          : {}),
      },
    });
  });

  router.post(`${base}/audience-refresh`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const body = parsePart('body', audienceRefreshBody, req.body);
    const cached = body.force ? undefined : await freshAudienceSnapshot(pool, row.id, body.freshness_days);
    if (cached) {
      res.json({
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
        },
      });
      return;
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
    const running = await activeJobs(pool, row.id, 'audience_refresh').catch(() => []);
    const job = running.find((j) => j.id === start.jobId) ?? {
      id: start.jobId,
      status: 'processing',
      started_at: null,
    };
    res.status(202).json({
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
        pending_jobs: audiencePendingJobs(row.id, [job], 'audience_demographics'),
      },
    });
  });

  router.get(`${base}/audience-refresh/:job_id`, async (req, res) => {
    const row = await ownCreator(pool, res, req.params);
    const { job_id } = parsePart('path', audienceJobParams, req.params);
    const job = await findJob(pool, row.id, 'audience_refresh', job_id);
    if (!job) throw notFound('Audience refresh job');
    const snapshot = job.snapshot_id ? await audienceSnapshotById(pool, job.snapshot_id) : undefined;
    res.json({ data: audienceJobItem(job, snapshot) });
  });

  const audienceRead = (half: 'demographics' | 'geography') => async (req: Request, res: Response) => {
    const row = await ownCreator(pool, res, req.params);
    const { freshness_days } = parsePart('query', audienceReadQuery, req.query);
    const [snapshot, running] = await Promise.all([
      freshAudienceSnapshot(pool, row.id, freshness_days),
      activeJobs(pool, row.id, 'audience_refresh'),
    ]);
    const jobs = {
      finalized: running.length === 0,
      pending_jobs: audiencePendingJobs(row.id, running, `audience_${half}`),
    };
    if (!snapshot) {
      // nothing fresh enough: null data, as documented; a refresh in flight still shows where to poll
      res.json({ data: null, ...jobs });
      return;
    }
    const latest = audienceSnapshotItem(snapshot);
    res.json({
      data: {
        platform: row.platform,
        handle: row.platform_handle,
        snapshot:
          half === 'demographics'
            ? { ...latest, country_distribution: null, city_distribution: null }
            : { ...latest, age_distribution: null, gender_distribution: null, language_distribution: null },
        // older than the default 30-day cache window: served only when freshness_days asked for it, and flagged
        is_stale: Date.now() - snapshot.snapshot_at.getTime() > DEFAULT_FRESHNESS_DAYS * 86_400_000,
        ...jobs,
      },
    });
  };
  router.get(`${base}/audience-demographics`, audienceRead('demographics'));
  router.get(`${base}/audience-geography`, audienceRead('geography'));

  return router;
}
