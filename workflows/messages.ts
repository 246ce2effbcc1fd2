import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TrackingCadence } from '../domain/cadence';
import type { CollectionDepth } from '../domain/costs';
import type { Platform } from '../domain/platform';
import type { TrackedResourceType, TrackingFields, TrackingPatch, TrackingState } from './tracking-machine';

export type {
  PauseReason,
  StopReason,
  TrackedResourceType,
  TrackingPatch,
  TrackingRecord,
  TrackingStatus,
} from './tracking-machine';

/**
 * The tracking workflows' inputs and messages, in a module with no workflow logic so the API can import them. They
 * are the workflows' own shapes (camelCase, no HTTP field names): the API maps its requests onto them. Pause and
 * resume are signals, so an operator can send them from the Temporal UI; anything whose caller needs an answer is an
 * Update (validated) or a query.
 */

/** The live state a tracking workflow reports: what the query answers and what Updates return. */
export interface TrackingView extends TrackingFields {
  id: string;
  resourceType: TrackedResourceType;
  platform: Platform;
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

/** A cycle run now, once begun: it then reserves and runs as any cycle does. */
export interface CycleStart {
  cycle: number;
  startedAt: string;
}
/** Runs a cycle at once (the API's `POST .../cycles`, or an operator in the Temporal UI); no arguments. */
export const runCycleUpdate = defineUpdate<CycleStart>('runCycleNow');

/** How a paid job's reservation went, as its child workflow reports it to the creator workflow. */
export type JobReservation =
  | { reserved: true }
  | { reserved: false; reason: 'insufficient_credits' | 'job_in_progress' | 'ended'; message: string };

/** A post collection or audience refresh the creator workflow has started and not yet seen close. */
export interface ActiveJob {
  id: string;
  /** null until the child has reserved (or failed to) */
  reservation: JobReservation | null;
  /** the child has said it is settling its credits: its outcome is decided and it closes in a moment */
  settling?: boolean;
}

/** The creator workflow's paid child jobs, carried across continue-as-new. */
export interface CreatorJobs {
  collection: ActiveJob | null;
  audience: ActiveJob | null;
  /** the collection asked for when tracking started, run once the first cycle has run */
  initialCollection: { id: string; depth: CollectionDepth } | null;
}

export type JobStart = { jobId: string; joined: boolean } & JobReservation;

export const startCollectionUpdate = defineUpdate<JobStart, [{ depth: CollectionDepth }]>('startCollection');
export const refreshAudienceUpdate = defineUpdate<JobStart>('refreshAudience');
/**
 * From a child job to its creator workflow, never from a person: named so in the Temporal UI's signal list. The
 * legacy names are what children started before the rename send; a run started before it still listens to them.
 */
export const jobReservedSignal = defineSignal<[{ jobId: string; reservation: JobReservation }]>('internal.jobReserved');
export const jobSettlingSignal = defineSignal<[{ jobId: string }]>('internal.jobSettling');
export const legacyJobReservedSignal = defineSignal<[{ jobId: string; reservation: JobReservation }]>('jobReserved');
export const legacyJobSettlingSignal = defineSignal<[{ jobId: string }]>('jobSettling');
/** the patch id under which job signals carry their internal names */
export const INTERNAL_JOB_SIGNALS_PATCH = 'internal-job-signals';

/** What both tracking workflows are started with. */
interface TrackingInput {
  id: string;
  teamId: string;
  platform: Platform;
  cadence: TrackingCadence;
}

/** `creatorTrackingWorkflow`'s argument: who to track, and what a previous run carried over. */
export interface CreatorTrackingInput extends TrackingInput {
  handle: string;
  /** a post collection to run after the first cycle (`collection_depth` on POST); its job row is created with the creator */
  initialCollection?: { id: string; depth: CollectionDepth } | null;
  /** what a previous run carried over: its state, its writer's sequence and its job slots */
  carried?: { tracking: TrackingState; writes: number; jobs: CreatorJobs };
}

/** `videoTrackingWorkflow`'s argument. */
export interface VideoTrackingInput extends TrackingInput {
  videoId: string;
  url: string;
  authorHandle: string | null;
  /** the tracked creator this video belongs to, if any */
  creatorId: string | null;
  carried?: { tracking: TrackingState; writes: number };
}
