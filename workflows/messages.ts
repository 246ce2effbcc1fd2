import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TrackingCadence } from '../domain/cadence';
import type { CollectionDepth } from '../domain/costs';
import type { Platform } from '../domain/platform';

/**
 * Messages of the tracking workflows, in a module with no workflow logic so the API can import the definitions.
 * Pause and resume are signals, so an operator can send them from the Temporal UI; anything whose caller needs an
 * answer is an Update (validated) or a query.
 */

export type TrackingStatus = 'active' | 'paused' | 'stopped';
export type PauseReason = 'manual' | 'consecutive_failures' | 'insufficient_credits';
export type TrackedResourceType = 'creator' | 'video';

/** The live state a tracking workflow reports: what the query answers and what Updates return. */
export interface TrackingView {
  id: string;
  resourceType: TrackedResourceType;
  platform: Platform;
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  cadence: TrackingCadence;
  /** number of the last cycle started (completed or failed) */
  cycle: number;
  cycleRunning: boolean;
  consecutiveFailures: number;
  lastScrapedAt: string | null;
  nextScrapeAt: string | null;
}

/** A change of status and/or cadence; the API maps its request body onto it. */
export interface TrackingPatch {
  status?: 'active' | 'paused';
  cadence?: TrackingCadence;
}

/** The outcome of the first cycle's reservation, which the API waits for to answer 202, 402 or "already tracked". */
export type RegistrationResult =
  | { registered: true }
  | { registered: false; reason: 'insufficient_credits'; message: string }
  | { registered: false; reason: 'already_tracked'; existingId: string };

export const pauseSignal = defineSignal<[reason?: string]>('pause');
export const resumeSignal = defineSignal('resume');
export const stateQuery = defineQuery<TrackingView>('state');
export const registrationUpdate = defineUpdate<RegistrationResult>('registration');
export const patchTrackingUpdate = defineUpdate<TrackingView, [TrackingPatch]>('patchTracking');
export const stopTrackingUpdate = defineUpdate<TrackingView>('stopTracking');

/** How a paid job's reservation went, as its child workflow reports it to the creator workflow. */
export type JobReservation =
  | { reserved: true }
  | { reserved: false; reason: 'insufficient_credits' | 'job_in_progress' | 'ended'; message: string };

/** A post collection or audience refresh the creator workflow has started and not yet heard finish. */
export interface ActiveJob {
  id: string;
  /** null until the child has reserved (or failed to) */
  reservation: JobReservation | null;
}

/** The creator workflow's paid child jobs, carried across continue-as-new. */
export interface CreatorJobs {
  collection: ActiveJob | null;
  audience: ActiveJob | null;
  /** the collection asked for with `collection_depth` on POST, started once the first cycle has run */
  initialCollection: { id: string; depth: CollectionDepth } | null;
}

export type JobStart = { jobId: string; joined: boolean } & JobReservation;

export const startCollectionUpdate = defineUpdate<JobStart, [{ depth: CollectionDepth }]>('startCollection');
export const refreshAudienceUpdate = defineUpdate<JobStart>('refreshAudience');
/** from a child job to its creator workflow */
export const jobReservedSignal = defineSignal<[{ jobId: string; reservation: JobReservation }]>('jobReserved');
export const jobFinishedSignal = defineSignal<[{ jobId: string }]>('jobFinished');

/** Everything a tracking workflow carries across continue-as-new; also its start argument. */
export interface TrackingState {
  id: string;
  teamId: string;
  resourceType: TrackedResourceType;
  platform: Platform;
  /** the Handle search attribute: a creator's handle, a video's platform id */
  handle: string;
  cadence: TrackingCadence;
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  /** false until the first cycle's reservation (and the read-model row) exist */
  registered: boolean;
  /** number of the last cycle started */
  cycle: number;
  lastScrapedAt: string | null;
  lastAttemptAt: string | null;
  nextScrapeAt: string | null;
  consecutiveFailures: number;
  /** bumped on every change to status/cadence/schedule; the read model ignores writes older than it has */
  version: number;
  /** the interval the trajectory chose last, when cadence is `adaptive` (absent in states from before it existed) */
  adaptiveIntervalMs?: number | null;
  /** what the read-model row starts with beyond the fields above (a video's URL, author and creator link) */
  registration?: { url?: string; authorHandle?: string | null; trackingAccountId?: string | null };
  /** creators only (absent in states from before paid jobs existed) */
  jobs?: CreatorJobs;
}

export function initialTrackingState(
  input: Pick<
    TrackingState,
    'id' | 'teamId' | 'resourceType' | 'platform' | 'handle' | 'cadence' | 'registration' | 'jobs'
  >,
): TrackingState {
  return {
    ...input,
    status: 'active',
    pauseReason: null,
    registered: false,
    cycle: 0,
    lastScrapedAt: null,
    lastAttemptAt: null,
    nextScrapeAt: null,
    consecutiveFailures: 0,
    version: 0,
    adaptiveIntervalMs: null,
  };
}
