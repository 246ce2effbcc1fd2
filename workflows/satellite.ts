import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Platform, Sound } from '../domain/platform';
import type { OutlierAnalysis } from '../domain/satellite-stats';
import { sampleNote, SOUND_LOOKUP_COST, SOUND_TRENDS_SURCHARGE, SOUND_VIDEO_CAP } from '../domain/sound-lookup';
import { bookkeepingOptions, platformRetry } from './activity-options';
import { failureOf } from './failures';
import { jobKeys } from './paid-jobs';

type Activities = ReturnType<typeof createActivities>;

/**
 * Satellite: one-shot paid analyses, each the workflow `satellite:<job uuid>`. The saga is the paid jobs' one: reserve
 * before any work, fetch, analyse, then persist the run, end the job and capture in one step; any failure (a
 * cancellation included) refunds and ends the job failed with a typed error. The API starts the workflow and waits
 * for its reservation in one call (update-with-start), so a 202 is always backed by reserved credits.
 *
 * The types, inputs and messages below are the workflow's own (camelCase); the API maps its requests onto them.
 */

export const SATELLITE_TYPES = ['video_outlier', 'sound_lookup'] as const;
export type SatelliteType = (typeof SATELLITE_TYPES)[number];

/** A video outlier analysis costs 25 credits (cents), refunded when it fails. */
export const VIDEO_OUTLIER_COST = 25;
/** How many of the creator's most recent videos the analysis compares the target with (seed 001: ~100). */
export const VIDEO_OUTLIER_SAMPLE = 100;

export const satelliteWorkflowId = (jobId: string): string => `satellite:${jobId}`;

/** How the reservation went; the API answers 202 on `reserved`, 402 on `insufficient_credits`. */
export type SatelliteReservation =
  { reserved: true } | { reserved: false; reason: 'insufficient_credits' | 'failed'; message: string };

/** Answers once the job's credits are reserved or refused; sent with the workflow's start. */
export const satelliteReservationUpdate = defineUpdate<SatelliteReservation>('satelliteReservation');

interface SatelliteJobBase {
  jobId: string;
  teamId: string;
  platform: Platform;
}

/** `type: 'video_outlier'`: one video against its creator's recent videos. */
export interface VideoOutlierInput extends SatelliteJobBase {
  type: 'video_outlier';
  request: {
    /** the URL as the caller sent it, echoed in the job's `input` */
    submittedUrl: string;
    /** the canonical URL of the video (domain/urls.ts), the result's `video.url` */
    url: string;
    platformVideoId: string;
    /** the creator, normalised: named by the URL, or given with it */
    handle: string;
  };
}

/** `type: 'sound_lookup'`: every video using a TikTok sound (seed 003). */
export interface SoundLookupInput extends SatelliteJobBase {
  type: 'sound_lookup';
  request: {
    /** the music id or sound URL as the caller sent it */
    submitted: string;
    musicId: string;
    trendAnalysis: boolean;
    /** the caller's `max_videos` (default 50); ignored when trendAnalysis */
    maxVideos: number;
  };
}

export type SatelliteInput = VideoOutlierInput | SoundLookupInput;

export interface SatelliteJobResult {
  jobId: string;
  status: 'completed' | 'failed';
  error: string | null;
  runId: string | null;
}

/** A video as runs store it: the contract's field names (seed 001), null where a platform hides a value. */
export interface SatelliteVideo {
  platform_video_id: string;
  url: string;
  /** the title, or the caption where a platform has no titles */
  title: string | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  publishDate: string;
  thumbnail_url: string | null;
  duration_seconds: number | null;
}

export interface SatelliteCreator {
  username: string;
  platform: Platform;
  profile: {
    followers: number | null;
    following: number | null;
    avatar_url: string | null;
    url: string;
    description: string | null;
    is_verified: boolean;
    total_videos: number | null;
    total_likes: number | null;
    total_views: number | null;
    total_posts: number | null;
  };
}

export interface VideoOutlierResult {
  video: SatelliteVideo;
  creator: SatelliteCreator;
  analysis: OutlierAnalysis;
}

/**
 * What a job's work leaves for its completion step. The videos it read are staged in Postgres under the job
 * (`satellite_job_videos`), never carried here: the completion step reads them, computes the result and stores the run,
 * so the history holds ids and counts, not a hundred video objects.
 */
export type SatelliteOutcome =
  | { type: 'video_outlier'; video: SatelliteVideo; creator: SatelliteCreator; videoCount: number }
  | {
      type: 'sound_lookup';
      sound: Sound;
      videoCount: number;
      pagesFetched: number;
      truncatedByCap: boolean;
      dataCapturedAt: string;
      /** the trends block's status; for `ok`, the block is staged with the job */
      trends: 'skipped' | 'insufficient_corpus' | 'ok';
    };

/** The trend surcharge's own reservation, captured or refunded apart from the base price. */
export interface SurchargeKeys {
  reservationKey: string;
  captureKey: string;
  refundKey: string;
}

export const surchargeKeys = (workflowId: string): SurchargeKeys => ({
  reservationKey: `${workflowId}:surcharge:reserve`,
  captureKey: `${workflowId}:surcharge:capture`,
  refundKey: `${workflowId}:surcharge:refund`,
});

/** A job's price: the base, and the surcharge reserved with it but billed only when earned. */
interface JobPrice {
  baseCents: number;
  surchargeCents: number;
}

/** Money and bookkeeping: a cancelled job waits for a running step to finish before compensating (see paid-jobs). */
const ledgerSteps = proxyActivities<Activities>({
  ...bookkeepingOptions,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Reading the platform: heartbeats, so a worker that dies is noticed within the heartbeat timeout. */
const fetching = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: platformRetry,
});

/** Asking the trend analyst (a model, or the heuristic): one long call, retried like a platform read. */
const analysing = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: platformRetry,
});

async function videoOutlier(input: VideoOutlierInput): Promise<SatelliteOutcome> {
  const fetched = await fetching.fetchVideoOutlier({
    jobId: input.jobId,
    platform: input.platform,
    platformVideoId: input.request.platformVideoId,
    url: input.request.url,
    handle: input.request.handle,
    limit: VIDEO_OUTLIER_SAMPLE,
  });
  return { type: 'video_outlier', ...fetched };
}

async function soundLookup(input: SoundLookupInput): Promise<SatelliteOutcome> {
  const { trendAnalysis, maxVideos, musicId } = input.request;
  // trend analysis reads as deep as the pagination cap allows and samples from that (seed 003)
  const fetched = await fetching.fetchSoundLookup({
    jobId: input.jobId,
    platform: input.platform,
    musicId,
    limit: trendAnalysis ? SOUND_VIDEO_CAP : maxVideos,
  });
  let trends: 'skipped' | 'insufficient_corpus' | 'ok' = 'skipped';
  if (trendAnalysis) {
    if (sampleNote(fetched.videoCount) === 'insufficient_corpus') trends = 'insufficient_corpus';
    else {
      setCurrentDetails(`${fetched.videoCount} videos fetched; finding trends`);
      await analysing.analyzeSoundTrends({ jobId: input.jobId, sound: fetched.sound });
      trends = 'ok';
    }
  }
  return { type: 'sound_lookup', ...fetched, trends };
}

/**
 * The saga: the refunds are registered before the reservation they undo (a reservation whose result was lost is still
 * given back), compensations run newest first in a non-cancellable scope, and a cancellation is rethrown once
 * compensated. A refused reservation leaves nothing behind: no job row, no event, nothing charged. The surcharge, when
 * there is one, is reserved with the base price (one 402 for both) and settled on its own: captured when the trends
 * ran, refunded when the corpus was too small.
 */
async function runSatelliteJob(
  input: SatelliteInput,
  price: JobPrice,
  reserved: (reservation: SatelliteReservation) => void,
  work: () => Promise<SatelliteOutcome>,
): Promise<SatelliteJobResult> {
  const { workflowId } = workflowInfo();
  const keys = jobKeys(workflowId);
  const surcharge = price.surchargeCents > 0 ? surchargeKeys(workflowId) : undefined;
  const ref = { jobId: input.jobId, teamId: input.teamId, type: input.type, platform: input.platform };
  let failure = { kind: 'error', message: 'unknown failure' };
  const compensations: (() => Promise<unknown>)[] = [];
  try {
    compensations.push(() =>
      ledgerSteps.compensateSatelliteJob({
        ...ref,
        reservationKey: keys.reservationKey,
        refundKey: keys.refundKey,
        surcharge,
        error: failure.kind,
        message: failure.message,
      }),
    );
    const reservation = await ledgerSteps.reserveSatelliteJob({
      ...ref,
      request: input.request,
      amountCents: price.baseCents,
      reservationKey: keys.reservationKey,
      surcharge: surcharge && { amountCents: price.surchargeCents, reservationKey: surcharge.reservationKey },
    });
    reserved(reservation);
    if (!reservation.reserved) return { jobId: input.jobId, status: 'failed', error: reservation.reason, runId: null };
    setCurrentDetails(`reserved ${price.baseCents + price.surchargeCents} credits; fetching`);
    const outcome = await work();
    const runId = uuid4();
    const chargeSurcharge = outcome.type === 'sound_lookup' && outcome.trends === 'ok';
    await ledgerSteps.completeSatelliteJob({
      ...ref,
      runId,
      request: input.request,
      outcome,
      creditsUsed: price.baseCents + (chargeSurcharge ? price.surchargeCents : 0),
      reservationKey: keys.reservationKey,
      captureKey: keys.captureKey,
      surcharge: surcharge && { ...surcharge, capture: chargeSurcharge },
    });
    return { jobId: input.jobId, status: 'completed', error: null, runId };
  } catch (err) {
    failure = isCancellation(err) ? { kind: 'cancelled', message: 'the job was cancelled' } : failureOf(err);
    // a caller still waiting for the reservation hears that the job ended before it
    reserved({ reserved: false, reason: 'failed', message: failure.message });
    await CancellationScope.nonCancellable(async () => {
      for (const compensate of compensations.reverse()) await compensate();
    });
    if (isCancellation(err)) throw err;
    return { jobId: input.jobId, status: 'failed', error: failure.kind, runId: null };
  }
}

/** Each type's price and work. */
function jobOf(input: SatelliteInput): { price: JobPrice; work: () => Promise<SatelliteOutcome> } {
  switch (input.type) {
    case 'video_outlier':
      return { price: { baseCents: VIDEO_OUTLIER_COST, surchargeCents: 0 }, work: () => videoOutlier(input) };
    case 'sound_lookup':
      return {
        price: {
          baseCents: SOUND_LOOKUP_COST,
          surchargeCents: input.request.trendAnalysis ? SOUND_TRENDS_SURCHARGE : 0,
        },
        work: () => soundLookup(input),
      };
  }
}

/** `satellite:<uuid>`: one satellite job, from its reservation to its run. */
export async function satelliteWorkflow(input: SatelliteInput): Promise<SatelliteJobResult> {
  let reservation: SatelliteReservation | undefined;
  setHandler(satelliteReservationUpdate, async () => {
    await condition(() => reservation !== undefined);
    return reservation as SatelliteReservation;
  });
  const reserved = (r: SatelliteReservation) => {
    reservation ??= r;
  };
  const { price, work } = jobOf(input);
  const result = await runSatelliteJob(input, price, reserved, work);
  await condition(allHandlersFinished);
  return result;
}
