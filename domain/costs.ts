/** Prices in credits. 1 credit = 1 cent (`credit_unit: "cent"`), so the seeds' $0.25 is 25 credits. */

/** One tracking cycle (metrics snapshot + report), including the initial one started by POST. */
export const CYCLE_COST = 25;

export const COLLECTION_DEPTHS = ['standard', 'deep', 'full'] as const;
export type CollectionDepth = (typeof COLLECTION_DEPTHS)[number];
export const DEFAULT_COLLECTION_DEPTH: CollectionDepth = 'standard';

export const COLLECTION_COSTS: Readonly<Record<CollectionDepth, number>> = { standard: 50, deep: 100, full: 200 };
export const COLLECTION_MAX_VIDEOS: Readonly<Record<CollectionDepth, number>> = { standard: 50, deep: 200, full: 500 };

/** One fresh audience snapshot on any platform; refunded on `profile_only` or `INSUFFICIENT_SAMPLE`. */
export const AUDIENCE_REFRESH_COST = 50;
