import { ApplicationFailure } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { satelliteLookupEndedData, SATELLITE_END_EVENT } from '../api/schemas/satellite';
import { recordEvent } from '../db/events';
import { capture, InsufficientCreditsError, refund, reserve, settlementKind } from '../db/ledger';
import {
  clearSatelliteJobStage,
  finishSatelliteJob,
  insertSatelliteJob,
  insertSatelliteRun,
  lockSatelliteJob,
  stagedSatelliteJobVideos,
  stagedSatelliteTrends,
  stageSatelliteJobVideos,
  stageSatelliteTrends,
  type SatelliteJobRow,
} from '../db/satellite';
import { inTransaction } from '../db/transaction';
import {
  ProviderError,
  type Platform,
  type PlatformProvider,
  type Post,
  type ProfileMetrics,
  type Sound,
  type SoundVideo,
  type SoundVideoPage,
} from '../domain/platform';
import { outlierAnalysis } from '../domain/satellite-stats';
import {
  diversitySample,
  sampleNote,
  SOUND_PAGE_CAP,
  SOUND_PAGE_SIZE,
  SOUND_TREND_SAMPLE,
  SOUND_VIDEO_CAP,
  soundStats,
  type SoundLookupResult,
  type SoundLookupVideo,
  type SoundMetadata,
} from '../domain/sound-lookup';
import {
  assembleTrends,
  insufficientTrends,
  skippedTrends,
  type SoundTrendGenerator,
  type SoundTrends,
} from '../domain/sound-trends';
import type {
  SatelliteCreator,
  SatelliteInput,
  SatelliteOutcome,
  SatelliteReservation,
  SatelliteType,
  SatelliteVideo,
  SoundLookupInput,
  SurchargeKeys,
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
  /** a surcharge reserved with the base price, under its own key */
  surcharge?: { amountCents: number; reservationKey: string };
}

export interface CompleteSatelliteInput extends SatelliteJobRef {
  runId: string;
  request: SatelliteInput['request'];
  outcome: SatelliteOutcome;
  creditsUsed: number;
  reservationKey: string;
  captureKey: string;
  /** the surcharge's keys, and whether it was earned (captured) or not (refunded) */
  surcharge?: SurchargeKeys & { capture: boolean };
}

export interface CompensateSatelliteInput extends SatelliteJobRef {
  reservationKey: string;
  refundKey: string;
  surcharge?: SurchargeKeys;
  error: string;
  message: string;
}

export interface FetchVideoOutlierInput {
  jobId: string;
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
  /** the creator's most recent videos read, staged with the job newest first */
  videoCount: number;
}

export interface FetchSoundLookupInput {
  jobId: string;
  platform: Platform;
  musicId: string;
  /** videos to read at most (the pagination cap applies too) */
  limit: number;
}

export interface FetchedSoundLookup {
  sound: Sound;
  /** videos staged with the job, in the listing's order */
  videoCount: number;
  pagesFetched: number;
  /** the listing had more, but the hard cap (25 pages, 500 videos) stopped the read */
  truncatedByCap: boolean;
  dataCapturedAt: string;
}

/**
 * The completion computes from the staged videos only: a job whose fetch staged fewer than it read (a job fetched by a
 * version that passed the videos through the workflow instead, finishing after an upgrade) fails, and its saga
 * refunds, rather than capturing the credits for an analysis of nothing.
 */
function refuseUnstaged(jobId: string, staged: number, fetched: number | undefined): void {
  if (staged === fetched) return;
  throw ApplicationFailure.create({
    type: 'unavailable',
    message: `job ${jobId}: ${staged} videos staged but the fetch read ${fetched ?? 'an unknown number'}; run it again`,
    nonRetryable: true,
  });
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

/** A video of a sound's listing as the result shows it; hashtags lower-cased without '#', once each. */
export function soundLookupVideo(v: SoundVideo): SoundLookupVideo {
  return {
    platform_video_id: v.platform_video_id,
    url: v.url,
    description: v.description ?? v.title,
    views: v.views,
    likes: v.likes,
    comments: v.comments,
    shares: v.shares,
    collects: v.bookmarks,
    publish_date: new Date(v.published_at).toISOString(),
    duration_seconds: v.duration_seconds,
    thumbnail_url: v.thumbnail_url,
    hashtags: [...new Set(v.hashtags.map((t) => t.replace(/^#/, '').toLowerCase()).filter((t) => t !== ''))],
    author: {
      unique_id: v.author_handle,
      nickname: v.author_display_name,
      user_id: v.author_user_id,
      followers: v.author_followers,
      is_verified: v.author_is_verified,
    },
    is_commerce_music: v.is_commerce_music,
  };
}

export function soundMetadata(sound: Sound): SoundMetadata {
  return {
    music_id: sound.music_id,
    title: sound.title,
    author_name: sound.author_name,
    owner_unique_id: sound.owner_handle,
    album: sound.album,
    duration_seconds: sound.duration_seconds,
    is_original: sound.is_original,
    is_commerce: sound.is_commerce,
    cover_url: sound.cover_url,
    play_url: sound.play_url,
    url: sound.url,
    reported_usage_count: sound.video_count,
    created_at: sound.created_at,
  };
}

/** The sound lookup's request echo (seed 003), which is also its job's and run's `input`. */
export const soundLookupRequest = (request: SoundLookupInput['request']): SoundLookupResult['request'] => ({
  music_id: request.musicId,
  platform: 'tiktok',
  trend_analysis: request.trendAnalysis,
  max_videos: request.maxVideos,
});

/** The request as the job and its run record it (`input` in the API). */
export function storedInput(platform: Platform, type: SatelliteType, request: SatelliteInput['request']) {
  if (type === 'sound_lookup') return soundLookupRequest(request as SoundLookupInput['request']);
  const r = request as VideoOutlierInput['request'];
  return { url: r.submittedUrl, platform, platform_video_id: r.platformVideoId, handle: r.handle };
}

/** A sound lookup's result from what its steps staged; `videos` is what the run keeps as its video rows. */
function soundLookupResult(
  request: SoundLookupInput['request'],
  outcome: Extract<SatelliteOutcome, { type: 'sound_lookup' }>,
  fetched: SoundLookupVideo[],
  staged: SoundTrends | null,
): SoundLookupResult {
  let trends: SoundTrends;
  if (outcome.trends === 'ok') {
    if (staged === null) throw new Error('the trends step ran but staged nothing');
    trends = staged;
  } else trends = outcome.trends === 'insufficient_corpus' ? insufficientTrends(fetched.length) : skippedTrends();
  return {
    request: soundLookupRequest(request),
    sound: soundMetadata(outcome.sound),
    data_captured_at: outcome.dataCapturedAt,
    stats: soundStats(fetched, new Date(outcome.dataCapturedAt)),
    sample_quality: {
      truncated_by_cap: outcome.truncatedByCap,
      pages_fetched: outcome.pagesFetched,
      note: sampleNote(fetched.length),
    },
    trends,
    videos: request.trendAnalysis ? diversitySample(fetched, SOUND_TREND_SAMPLE) : fetched,
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
 * ledger keys and the job's own state; the fetches of both job types, which stage what they read with the job; and
 * the sound lookup's trend step.
 */
export function createSatelliteActivities({
  pool,
  provider,
  trends,
}: {
  pool: Pool;
  provider: PlatformProvider;
  trends: SoundTrendGenerator;
}) {
  /** Stages the fetched videos with the job, in one transaction whatever an earlier attempt left. */
  const stage = (jobId: string, videos: readonly unknown[]) =>
    inTransaction(pool, (client) => stageSatelliteJobVideos(client, jobId, videos));

  return {
    /**
     * Records the job as processing and reserves its price (and surcharge) in one transaction. A balance that cannot
     * pay both reserves nothing and records nothing: the caller gets a 402 and never sees the job.
     */
    async reserveSatelliteJob(input: ReserveSatelliteInput): Promise<SatelliteReservation> {
      const reservation = {
        teamId: input.teamId,
        operation: input.type,
        resourceType: 'satellite_job',
        resourceId: input.jobId,
      };
      try {
        await inTransaction(pool, async (client) => {
          await insertSatelliteJob(client, {
            id: input.jobId,
            teamId: input.teamId,
            type: input.type,
            platform: input.platform,
            input: storedInput(input.platform, input.type, input.request),
            creditsReserved: input.amountCents + (input.surcharge?.amountCents ?? 0),
          });
          await reserve(client, {
            ...reservation,
            amountCents: input.amountCents,
            idempotencyKey: input.reservationKey,
            description: what(input),
          });
          if (input.surcharge) {
            await reserve(client, {
              ...reservation,
              amountCents: input.surcharge.amountCents,
              idempotencyKey: input.surcharge.reservationKey,
              description: `${what(input)}: trend analysis surcharge`,
            });
          }
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
     * meanwhile, and stages the videos with the job. A retry starts over: the read is two or three requests. A
     * creator without a single video to compare with fails as `empty`, refunded.
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
          await stage(input.jobId, posts.map(satelliteVideo));
          return {
            // the canonical URL the job was asked about, whatever form the source answers with
            video: { ...satelliteVideo(target), url: input.url },
            creator: satelliteCreator(input.platform, input.handle, profile),
            videoCount: posts.length,
          };
        },
      );
    },

    /**
     * Reads the videos using a sound, page by page up to the limit and never past the hard cap (25 pages, 500
     * videos), then the sound itself (after the listing, so a source reading both from one scrape runs it once),
     * heartbeating meanwhile, and stages the videos with the job (a video listed twice counts once). A sound the
     * platform does not know fails as `deleted`; a sound without videos is an empty corpus, not a failure.
     */
    async fetchSoundLookup(input: FetchSoundLookupInput): Promise<FetchedSoundLookup> {
      let progress = { step: 'sound', videos: 0, pages: 0 };
      const { getSound, listSoundVideos } = provider;
      if (!getSound || !listSoundVideos) {
        throw new ProviderError('blocked', `${provider.name} cannot look up sounds`);
      }
      return whileHeartbeating(
        () => progress,
        async () => {
          const videos = new Map<string, SoundLookupVideo>();
          let cursor: string | null = null;
          let pages = 0;
          let more = true;
          while (more && videos.size < input.limit && pages < SOUND_PAGE_CAP) {
            progress = { step: 'videos', videos: videos.size, pages };
            const page: SoundVideoPage = await listSoundVideos.call(provider, input.platform, input.musicId, {
              limit: Math.min(SOUND_PAGE_SIZE, input.limit - videos.size),
              cursor,
              total: input.limit,
            });
            pages += 1;
            for (const v of page.videos) {
              if (videos.size < input.limit && !videos.has(v.platform_video_id)) {
                videos.set(v.platform_video_id, soundLookupVideo(v));
              }
            }
            cursor = page.next_cursor;
            more = cursor !== null && page.videos.length > 0;
          }
          progress = { step: 'sound', videos: videos.size, pages };
          const sound = await getSound.call(provider, input.platform, input.musicId);
          const fetched = [...videos.values()];
          await stage(input.jobId, fetched);
          return {
            sound,
            videoCount: fetched.length,
            pagesFetched: pages,
            // the caller's own limit is not the cap; only the 25-page / 500-video ceiling truncates
            truncatedByCap: more && (pages >= SOUND_PAGE_CAP || fetched.length >= SOUND_VIDEO_CAP),
            dataCapturedAt: new Date().toISOString(),
          };
        },
      );
    },

    /**
     * Asks the trend analyst about the diversity-sampled corpus the fetch staged, turns its answer into the trends
     * block (hallucinated ids stripped, windows computed from real dates) and stages that with the job.
     */
    async analyzeSoundTrends(input: { jobId: string; sound: Sound }): Promise<{ trends: number; modelUsed: string }> {
      const fetched = await stagedSatelliteJobVideos<SoundLookupVideo>(pool, input.jobId);
      const corpus = diversitySample(fetched, SOUND_TREND_SAMPLE);
      const generated = await trends.generate({
        sound: { title: input.sound.title, author_name: input.sound.author_name, is_original: input.sound.is_original },
        videos: corpus,
      });
      const block = assembleTrends(generated.analysis, corpus, generated);
      await stageSatelliteTrends(pool, input.jobId, block);
      return { trends: block.trends.length, modelUsed: generated.modelUsed };
    },

    /**
     * Computes the result from what the job staged, stores the run and its videos, ends the job completed, settles
     * the credits (the base captured; a surcharge captured when earned, refunded otherwise), records the event and
     * clears the stage, in one transaction. A retry changes nothing: a job already ended (the first attempt committed
     * and its answer was lost) is left as it is, so the run, the keyed settlements and the event are written once.
     */
    async completeSatelliteJob(input: CompleteSatelliteInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        // once the job ended its stage is gone: nothing to recompute, and nothing left to do
        if ((await lockSatelliteJob(client, input.jobId)) !== 'processing') return;
        let result: VideoOutlierResult | Omit<SoundLookupResult, 'videos'>;
        let videos: unknown[];
        if (input.outcome.type === 'video_outlier') {
          const { video, creator } = input.outcome;
          videos = await stagedSatelliteJobVideos<SatelliteVideo>(client, input.jobId);
          refuseUnstaged(input.jobId, videos.length, input.outcome.videoCount);
          // the creator's recent videos as listed: the target is among them when it is one of the most recent (seed 001)
          const analysis = outlierAnalysis(
            (videos as SatelliteVideo[]).map((v) => v.views),
            video.views,
          );
          result = { video, creator, analysis };
        } else {
          const fetched = await stagedSatelliteJobVideos<SoundLookupVideo>(client, input.jobId);
          refuseUnstaged(input.jobId, fetched.length, input.outcome.videoCount);
          const staged = await stagedSatelliteTrends<SoundTrends>(client, input.jobId);
          const { videos: listed, ...rest } = soundLookupResult(
            input.request as SoundLookupInput['request'],
            input.outcome,
            fetched,
            staged,
          );
          // the video list lives in the run's video rows; reads put it back into the result
          result = rest;
          videos = listed;
        }
        await insertSatelliteRun(client, {
          id: input.runId,
          teamId: input.teamId,
          type: input.type,
          platform: input.platform,
          input: storedInput(input.platform, input.type, input.request),
          result,
          videos,
        });
        await capture(client, input.reservationKey, input.captureKey);
        if (input.surcharge?.capture) await capture(client, input.surcharge.reservationKey, input.surcharge.captureKey);
        else if (input.surcharge) {
          await refund(
            client,
            input.surcharge.reservationKey,
            input.surcharge.refundKey,
            `${what(input)}: trend analysis skipped on an insufficient corpus, surcharge not billed`,
          );
        }
        const ended = await finishSatelliteJob(client, input.jobId, {
          status: 'completed',
          runId: input.runId,
          creditsUsed: input.creditsUsed,
        });
        if (ended) await recordSatelliteEnd(client, ended);
        await clearSatelliteJobStage(client, input.jobId);
      });
    },

    /**
     * The compensation: refunds the reservations unless the base was captured (nothing when there were none), ends
     * the job failed, records the event and clears the stage, in one transaction. Safe to run whatever happened
     * before, as often as needed.
     */
    async compensateSatelliteJob(input: CompensateSatelliteInput): Promise<{ refunded: boolean }> {
      return inTransaction(pool, async (client) => {
        if ((await settlementKind(client, input.reservationKey)) === 'capture') return { refunded: false };
        const why = `${what(input)} failed: ${input.error}`;
        const outcome = await refund(client, input.reservationKey, input.refundKey, why);
        if (input.surcharge) await refund(client, input.surcharge.reservationKey, input.surcharge.refundKey, why);
        const ended = await finishSatelliteJob(client, input.jobId, {
          status: 'failed',
          error: input.error,
          message: input.message,
        });
        if (ended) await recordSatelliteEnd(client, ended);
        await clearSatelliteJobStage(client, input.jobId);
        return { refunded: outcome.settled !== 'nothing' };
      });
    },
  };
}
