import type { Pool, PoolClient } from 'pg';
import { satelliteLookupEndedData, SATELLITE_END_EVENT } from '../api/schemas/satellite';
import { recordEvent } from '../db/events';
import { capture, InsufficientCreditsError, refund, reserve, settlementKind } from '../db/ledger';
import { finishSatelliteJob, insertSatelliteJob, insertSatelliteRun, type SatelliteJobRow } from '../db/satellite';
import { inTransaction } from '../db/transaction';
import {
  ProviderError,
  type Platform,
  type PlatformProvider,
  type Post,
  type ProfileMetrics,
} from '../domain/platform';
import type {
  SatelliteCreator,
  SatelliteInput,
  SatelliteReservation,
  SatelliteType,
  SatelliteVideo,
  VideoOutlierInput,
  VideoOutlierResult,
} from '../workflows/satellite';
import { whileHeartbeating } from './heartbeat';
import { COLLECTION_PAGE_SIZE } from './jobs';

/** The job a saga step acts on. */
interface SatelliteJobRef {
  jobId: string;
  teamId: string;
  type: SatelliteType;
  platform: Platform;
}

export interface ReserveSatelliteInput extends SatelliteJobRef {
  request: SatelliteInput['request'];
  amountCents: number;
  reservationKey: string;
}

export interface CompleteSatelliteInput extends SatelliteJobRef {
  runId: string;
  request: SatelliteInput['request'];
  result: VideoOutlierResult;
  videos: SatelliteVideo[];
  creditsUsed: number;
  reservationKey: string;
  captureKey: string;
}

export interface CompensateSatelliteInput extends SatelliteJobRef {
  reservationKey: string;
  refundKey: string;
  error: string;
  message: string;
}

export interface FetchVideoOutlierInput {
  platform: Platform;
  platformVideoId: string;
  url: string;
  handle: string;
  /** how many of the creator's most recent videos to read */
  limit: number;
}

export interface FetchedVideoOutlier {
  video: SatelliteVideo;
  creator: SatelliteCreator;
  /** the creator's most recent videos, newest first */
  videos: SatelliteVideo[];
}

// ---- pure mappings from a provider's shapes to the stored ones ----

/** A post as runs store it; the caption stands in for the title on platforms without titles (TikTok, Instagram). */
export function satelliteVideo(post: Post): SatelliteVideo {
  return {
    platform_video_id: post.platform_video_id,
    url: post.url,
    title: post.title ?? post.description,
    views: post.views,
    likes: post.likes,
    comments: post.comments,
    shares: post.shares,
    publishDate: new Date(post.published_at).toISOString(),
    thumbnail_url: post.thumbnail_url,
    duration_seconds: post.duration_seconds,
  };
}

/**
 * The creator as the result shows them. Nothing is made up: Instagram's post count includes photos, so it is
 * `total_posts` and not `total_videos`; profile-level likes (TikTok) and views (YouTube) stay null elsewhere rather
 * than being summed over a sample.
 */
export function satelliteCreator(platform: Platform, handle: string, profile: ProfileMetrics): SatelliteCreator {
  return {
    username: profile.handle || handle,
    platform,
    profile: {
      followers: profile.followers ?? profile.subscribers,
      following: profile.following,
      avatar_url: profile.avatar_url,
      url: profile.profile_url,
      description: profile.bio,
      is_verified: profile.is_verified,
      total_videos: platform === 'instagram' ? null : profile.total_videos,
      total_likes: profile.total_likes,
      total_views: profile.total_views,
      total_posts: profile.total_videos,
    },
  };
}

/** The request as the job and its run record it (`input` in the API). */
export function storedInput(platform: Platform, request: VideoOutlierInput['request']) {
  return {
    url: request.submittedUrl,
    platform,
    platform_video_id: request.platformVideoId,
    handle: request.handle,
  };
}

/** Records `satellite.lookup.completed` in the transaction that ended the job, once per job whatever the retries. */
async function recordSatelliteEnd(client: PoolClient, job: SatelliteJobRow): Promise<void> {
  await recordEvent(client, {
    key: `satellite:${job.id}:${job.status}`,
    teamId: job.team_id,
    type: SATELLITE_END_EVENT,
    resourceType: 'satellite_job',
    resourceId: job.id,
    data: satelliteLookupEndedData(job),
  });
}

const what = (ref: SatelliteJobRef): string => `${ref.type.replace('_', ' ')} ${ref.jobId}`;

/**
 * The satellite saga's steps (reserve → fetch → complete and capture, or compensate), each idempotent under its
 * ledger key and the job's own state, and the video outlier's fetch.
 */
export function createSatelliteActivities({ pool, provider }: { pool: Pool; provider: PlatformProvider }) {
  return {
    /**
     * Records the job as processing and reserves its price in one transaction. A balance that cannot pay reserves
     * nothing and records nothing: the caller gets a 402 and never sees the job.
     */
    async reserveSatelliteJob(input: ReserveSatelliteInput): Promise<SatelliteReservation> {
      try {
        await inTransaction(pool, async (client) => {
          await insertSatelliteJob(client, {
            id: input.jobId,
            teamId: input.teamId,
            type: input.type,
            platform: input.platform,
            input: storedInput(input.platform, input.request),
            creditsReserved: input.amountCents,
          });
          await reserve(client, {
            teamId: input.teamId,
            amountCents: input.amountCents,
            idempotencyKey: input.reservationKey,
            operation: input.type,
            resourceType: 'satellite_job',
            resourceId: input.jobId,
            description: what(input),
          });
        });
        return { reserved: true };
      } catch (err) {
        if (err instanceof InsufficientCreditsError) {
          return { reserved: false, reason: 'insufficient_credits', message: err.message };
        }
        throw err;
      }
    },

    /**
     * Reads the target video, the creator's profile and the creator's most recent videos (page by page), heartbeating
     * meanwhile. A retry starts over: the read is two or three requests. A creator without a single video to compare
     * with fails as `empty`, refunded.
     */
    async fetchVideoOutlier(input: FetchVideoOutlierInput): Promise<FetchedVideoOutlier> {
      let progress = { step: 'video', videos: 0 };
      return whileHeartbeating(
        () => progress,
        async () => {
          const target = await provider.getPost(input.platform, input.platformVideoId, { url: input.url });
          progress = { step: 'profile', videos: 0 };
          const profile = await provider.getProfile(input.platform, input.handle);
          const posts: Post[] = [];
          let cursor: string | null = null;
          while (posts.length < input.limit) {
            progress = { step: 'videos', videos: posts.length };
            const page = await provider.listPosts(input.platform, input.handle, {
              limit: Math.min(COLLECTION_PAGE_SIZE, input.limit - posts.length),
              cursor,
              total: input.limit,
            });
            posts.push(...page.posts);
            cursor = page.next_cursor;
            if (cursor === null || page.posts.length === 0) break;
          }
          if (posts.length === 0) {
            throw new ProviderError('empty', `@${input.handle} has no videos to compare the video with`);
          }
          return {
            // the canonical URL the job was asked about, whatever form the source answers with
            video: { ...satelliteVideo(target), url: input.url },
            creator: satelliteCreator(input.platform, input.handle, profile),
            videos: posts.map(satelliteVideo),
          };
        },
      );
    },

    /**
     * Stores the run and its videos, ends the job completed, captures the reservation and records the event, in one
     * transaction. A retry changes nothing: the run is stored once, the capture is keyed, and only the call that
     * ended the job records its event.
     */
    async completeSatelliteJob(input: CompleteSatelliteInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        await insertSatelliteRun(client, {
          id: input.runId,
          teamId: input.teamId,
          type: input.type,
          platform: input.platform,
          input: storedInput(input.platform, input.request),
          result: input.result,
          videos: input.videos,
        });
        await capture(client, input.reservationKey, input.captureKey);
        const ended = await finishSatelliteJob(client, input.jobId, {
          status: 'completed',
          runId: input.runId,
          creditsUsed: input.creditsUsed,
        });
        if (ended) await recordSatelliteEnd(client, ended);
      });
    },

    /**
     * The compensation: refunds the reservation unless it was captured (nothing when there was none), ends the job
     * failed and records the event, in one transaction. Safe to run whatever happened before, as often as needed.
     */
    async compensateSatelliteJob(input: CompensateSatelliteInput): Promise<{ refunded: boolean }> {
      return inTransaction(pool, async (client) => {
        if ((await settlementKind(client, input.reservationKey)) === 'capture') return { refunded: false };
        const outcome = await refund(
          client,
          input.reservationKey,
          input.refundKey,
          `${what(input)} failed: ${input.error}`,
        );
        const ended = await finishSatelliteJob(client, input.jobId, {
          status: 'failed',
          error: input.error,
          message: input.message,
        });
        if (ended) await recordSatelliteEnd(client, ended);
        return { refunded: outcome.settled !== 'nothing' };
      });
    },
  };
}
