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
import type { Platform } from '../domain/platform';
import { outlierAnalysis, type OutlierAnalysis } from '../domain/satellite-stats';
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

/** Every satellite job's input; the sound lookup joins this union. */
export type SatelliteInput = VideoOutlierInput;

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

/** What a job's work leaves for the run: its result envelope and the videos it rests on. */
interface SatelliteOutput {
  result: VideoOutlierResult;
  videos: SatelliteVideo[];
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

async function videoOutlier(input: VideoOutlierInput): Promise<SatelliteOutput> {
  const fetched = await fetching.fetchVideoOutlier({
    platform: input.platform,
    platformVideoId: input.request.platformVideoId,
    url: input.request.url,
    handle: input.request.handle,
    limit: VIDEO_OUTLIER_SAMPLE,
  });
  // the creator's recent videos as listed: the target is among them when it is one of the most recent (seed 001)
  const analysis = outlierAnalysis(
    fetched.videos.map((v) => v.views),
    fetched.video.views,
  );
  return { result: { video: fetched.video, creator: fetched.creator, analysis }, videos: fetched.videos };
}

/**
 * The saga: the refund is registered before the reservation it undoes (a reservation whose result was lost is still
 * given back), compensations run newest first in a non-cancellable scope, and a cancellation is rethrown once
 * compensated. A refused reservation leaves nothing behind: no job row, no event, nothing charged.
 */
async function runSatelliteJob(
  input: SatelliteInput,
  amountCents: number,
  reserved: (reservation: SatelliteReservation) => void,
  work: () => Promise<SatelliteOutput>,
): Promise<SatelliteJobResult> {
  const keys = jobKeys(workflowInfo().workflowId);
  const ref = { jobId: input.jobId, teamId: input.teamId, type: input.type, platform: input.platform };
  let failure = { kind: 'error', message: 'unknown failure' };
  const compensations: (() => Promise<unknown>)[] = [];
  try {
    compensations.push(() =>
      ledgerSteps.compensateSatelliteJob({
        ...ref,
        reservationKey: keys.reservationKey,
        refundKey: keys.refundKey,
        error: failure.kind,
        message: failure.message,
      }),
    );
    const reservation = await ledgerSteps.reserveSatelliteJob({
      ...ref,
      request: input.request,
      amountCents,
      reservationKey: keys.reservationKey,
    });
    reserved(reservation);
    if (!reservation.reserved) return { jobId: input.jobId, status: 'failed', error: reservation.reason, runId: null };
    setCurrentDetails(`reserved ${amountCents} credits; fetching`);
    const output = await work();
    const runId = uuid4();
    await ledgerSteps.completeSatelliteJob({
      ...ref,
      runId,
      request: input.request,
      result: output.result,
      videos: output.videos,
      creditsUsed: amountCents,
      reservationKey: keys.reservationKey,
      captureKey: keys.captureKey,
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
function jobOf(input: SatelliteInput): { amountCents: number; work: () => Promise<SatelliteOutput> } {
  switch (input.type) {
    case 'video_outlier':
      return { amountCents: VIDEO_OUTLIER_COST, work: () => videoOutlier(input) };
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
  const { amountCents, work } = jobOf(input);
  const result = await runSatelliteJob(input, amountCents, reserved, work);
  await condition(allHandlersFinished);
  return result;
}
