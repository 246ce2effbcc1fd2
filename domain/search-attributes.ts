import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';

// Custom search attributes operators filter by in the Temporal UI, e.g. `Platform = "tiktok" AND Handle = "khaby.lame"`.
export const TeamIdAttr = defineSearchAttributeKey('TeamId', SearchAttributeType.KEYWORD);
export const PlatformAttr = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
/** a creator's handle; on a video, its creator's handle when known */
export const HandleAttr = defineSearchAttributeKey('Handle', SearchAttributeType.KEYWORD);
export const TrackingStatusAttr = defineSearchAttributeKey('TrackingStatus', SearchAttributeType.KEYWORD);
export const ScrapeCadenceAttr = defineSearchAttributeKey('ScrapeCadence', SearchAttributeType.KEYWORD);
/** `manual`, `consecutive_failures` or `insufficient_credits` while paused; absent otherwise */
export const PauseReasonAttr = defineSearchAttributeKey('PauseReason', SearchAttributeType.KEYWORD);
/** when the next cycle is due; absent while paused or stopped */
export const NextScrapeAtAttr = defineSearchAttributeKey('NextScrapeAt', SearchAttributeType.DATETIME);
/** a tracked video's platform id */
export const VideoIdAttr = defineSearchAttributeKey('VideoId', SearchAttributeType.KEYWORD);
/** on child jobs: the tracked creator they work for */
export const CreatorIdAttr = defineSearchAttributeKey('CreatorId', SearchAttributeType.KEYWORD);
/** on jobs: `post_collection`, `audience_refresh`, `webhook_delivery` */
export const JobTypeAttr = defineSearchAttributeKey('JobType', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [
  TeamIdAttr,
  PlatformAttr,
  HandleAttr,
  TrackingStatusAttr,
  ScrapeCadenceAttr,
  PauseReasonAttr,
  NextScrapeAtAttr,
  VideoIdAttr,
  CreatorIdAttr,
  JobTypeAttr,
];

/** The name the `temporal` CLI's `--search-attribute NAME=TYPE` and the operator service give each attribute type. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** What a tracking workflow is filtered by: who it tracks and its state. */
export interface TrackingAttributeValues {
  teamId: string;
  platform: string;
  /** a creator's handle, or a video's creator's handle (null when unknown) */
  handle: string | null;
  /** a video's platform id */
  videoId?: string;
  status: string;
  cadence: string;
  pauseReason?: string | null;
  nextScrapeAt?: string | null;
}

/**
 * A tracking workflow's attributes as an upsert: unset values (no pause reason, no next run) are removed, so
 * `PauseReason IS NULL` and `NextScrapeAt` ranges find what they say.
 */
export function trackingAttributeUpdates(state: TrackingAttributeValues): SearchAttributeUpdatePair[] {
  return [
    { key: TeamIdAttr, value: state.teamId },
    { key: PlatformAttr, value: state.platform },
    { key: HandleAttr, value: state.handle },
    ...(state.videoId !== undefined ? [{ key: VideoIdAttr, value: state.videoId }] : []),
    { key: TrackingStatusAttr, value: state.status },
    { key: ScrapeCadenceAttr, value: state.cadence },
    { key: PauseReasonAttr, value: state.pauseReason ?? null },
    { key: NextScrapeAtAttr, value: state.nextScrapeAt ? new Date(state.nextScrapeAt) : null },
  ];
}

/** The attributes a tracking workflow starts with: the upsert's, without the ones not set. */
export function trackingSearchAttributes(state: TrackingAttributeValues): SearchAttributePair[] {
  return trackingAttributeUpdates(state).filter((pair): pair is SearchAttributePair => pair.value !== null);
}

/** Before the operator attributes: the five a tracking workflow upserted, `Handle` being a video's id on videos. */
export function legacyTrackingSearchAttributes(state: {
  teamId: string;
  platform: string;
  handle: string;
  status: string;
  cadence: string;
}): SearchAttributePair[] {
  return [
    { key: TeamIdAttr, value: state.teamId },
    { key: PlatformAttr, value: state.platform },
    { key: HandleAttr, value: state.handle },
    { key: TrackingStatusAttr, value: state.status },
    { key: ScrapeCadenceAttr, value: state.cadence },
  ];
}

/** What every job workflow carries, so `TeamId = "…"` lists all of a team's work. */
export function jobSearchAttributes(job: {
  teamId: string;
  jobType: 'post_collection' | 'audience_refresh' | 'webhook_delivery';
  creatorId?: string | null;
  platform?: string | null;
}): SearchAttributePair[] {
  return [
    { key: TeamIdAttr, value: job.teamId },
    { key: JobTypeAttr, value: job.jobType },
    ...(job.creatorId ? [{ key: CreatorIdAttr, value: job.creatorId }] : []),
    ...(job.platform ? [{ key: PlatformAttr, value: job.platform }] : []),
  ];
}
