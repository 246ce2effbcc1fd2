import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../../db/events';
import { PLATFORMS } from '../../domain/platform';
import { creatorDetailExample, creatorDetailSchema, creatorSnapshotExample, creatorSnapshotSchema } from './creators';
import { creatorPath } from '../../db/creators';
import type { AudienceSnapshotRow, PaidJobRow } from '../../db/jobs';
import {
  audienceSnapshotExample,
  audienceSnapshotItem,
  audienceSnapshotSchema,
  collectionFields,
  collectionFieldsOf,
} from './jobs';
import { satelliteLookupCompletedExample, satelliteLookupCompletedSchema } from './satellite';
import { cycleFailureSchema, orNull, pauseReasonSchema } from './tracking';
import {
  EXAMPLE_CREATOR_ID,
  EXAMPLE_VIDEO_ID,
  videoDetailExample,
  videoDetailSchema,
  videoSnapshotExample,
  videoSnapshotSchema,
} from './videos';

/**
 * The webhook events: each type's `data`, as the activities record it in the outbox (`recordEvent`), and the body a
 * delivery POSTs (`deliveryBody` in domain/webhooks.ts): `{ id, type, timestamp, data }`.
 */

const timestamp = z.iso.datetime();
const apiPath = z.string().describe('the resource’s path in this API, e.g. `/v1/tracking/videos/{id}`');

// ---- tracking.cycle.completed ----

export const creatorCycleCompletedSchema = z
  .object({
    resource_type: z.literal('creator'),
    cycle: z.number().int().describe('the cycle’s number, from 1'),
    // a described schema would be inlined instead of referenced: the creator as `GET /v1/tracking/creators/{id}` shows it
    creator: creatorDetailSchema,
    snapshot: orNull(creatorSnapshotSchema).describe('the snapshot the cycle took'),
    post_count: z.number().int().describe('collected posts of the creator'),
    url: apiPath,
  })
  .meta({ id: 'CreatorCycleCompletedData' });

export const videoCycleCompletedSchema = z
  .object({
    resource_type: z.literal('video'),
    cycle: z.number().int().describe('the cycle’s number, from 1'),
    // the video as `GET /v1/tracking/videos/{id}` shows it after the cycle
    video: videoDetailSchema,
    snapshot: orNull(videoSnapshotSchema).describe('the snapshot the cycle took'),
    url: apiPath,
  })
  .meta({ id: 'VideoCycleCompletedData' });

export const cycleCompletedSchema = z
  .discriminatedUnion('resource_type', [creatorCycleCompletedSchema, videoCycleCompletedSchema])
  .meta({ id: 'CycleCompletedData' });

// ---- tracking.outlier_video.detected ----

export const outlierDetectedSchema = z
  .object({
    tracking_account_id: z.uuid().describe('the tracked creator'),
    platform: z.enum(PLATFORMS),
    platform_handle: z.string(),
    video_url: z.string().describe('the post on the platform'),
    platform_video_id: z.string(),
    views: z.number().int(),
    median_views: z.number().describe('the creator’s median views over the collected posts'),
    outlier_ratio: z.number().describe('views ÷ median_views'),
    weighted_score: z.number().min(0).max(100).describe('0–100: ratio, engagement and freshness, for ranking'),
    url: apiPath,
  })
  .meta({ id: 'OutlierVideoDetectedData' });

// ---- tracking.paused ----

export const pausedSchema = z
  .object({
    resource_type: z.enum(['creator', 'video']),
    id: z.uuid(),
    status: z.literal('paused'),
    pause_reason: pauseReasonSchema.describe('an automatic pause: `consecutive_failures` or `insufficient_credits`'),
    consecutive_failures: z.number().int(),
    last_failure: orNull(cycleFailureSchema),
    url: apiPath,
  })
  .meta({ id: 'TrackingPausedData' });

// ---- tracking.stopped ----

export const stoppedSchema = z
  .object({
    resource_type: z.enum(['creator', 'video']),
    id: z.uuid(),
    status: z.literal('stopped'),
    stop_reason: z
      .enum(['requested', 'cancelled', 'terminated', 'timed_out', 'failed'])
      .describe(
        '`requested` by DELETE; `cancelled` from the Temporal UI; `terminated`, `timed_out` or `failed` when the ' +
          'workflow closed without stopping and the reconciler stopped the entity',
      ),
    url: apiPath,
  })
  .meta({ id: 'TrackingStoppedData' });

// ---- a paid job's end: audience.snapshot.completed / .failed, posts.collection.completed / .failed ----

const jobUrl = apiPath.describe('the job’s path in this API (its `poll_url`)');

export const audienceCompletedSchema = z
  .object({
    job_id: z.uuid(),
    status: z.literal('completed'),
    error: z.null(),
    creator_id: z.uuid(),
    snapshot: audienceSnapshotSchema,
    credits_used: z.number().int().describe('credits, in cents: 0 for a `profile_only` snapshot (refunded)'),
    credit_unit: z.literal('cent'),
    url: apiPath.describe('the refresh job’s path in this API'),
  })
  .meta({ id: 'AudienceSnapshotCompletedData' });

export const audienceFailedSchema = z
  .object({
    job_id: z.uuid(),
    status: z.literal('failed'),
    error: z
      .string()
      .describe(
        'the failure: `INSUFFICIENT_SAMPLE`, a platform error (`blocked`, `private`, `deleted`, `rate_limited`, ' +
          '`unavailable`, `misconfigured`, ...), `timeout`, `cancelled`, `insufficient_credits`, `ended`, `error`',
      ),
    error_message: z.string(),
    creator_id: z.uuid(),
    snapshot: z.null(),
    credits_used: z
      .number()
      .int()
      .describe('credits, in cents: the price kept on a platform error, as documented; 0 when refunded'),
    credit_unit: z.literal('cent'),
    url: apiPath.describe('the refresh job’s path in this API'),
  })
  .meta({ id: 'AudienceSnapshotFailedData' });

const collectionEnded = { ...collectionFields, creator_id: z.uuid(), url: jobUrl };

export const collectionCompletedSchema = z
  .object({ ...collectionEnded, status: z.literal('completed'), error: z.null(), error_message: z.null() })
  .meta({ id: 'PostCollectionCompletedData' });

export const collectionFailedSchema = z
  .object({
    ...collectionEnded,
    status: z.literal('failed'),
    error: z
      .string()
      .describe(
        'the failure: a platform error (`private`, `deleted`, `blocked`, `rate_limited`, `unavailable`, ...), ' +
          '`timeout`, `cancelled`, `insufficient_credits`, `job_in_progress`, `tracking_stopped`, `ended`, `error`',
      ),
    error_message: z.string(),
  })
  .meta({ id: 'PostCollectionFailedData' });

/** The refresh job's path, as its `poll_url` names it. */
const audienceJobPath = (row: Pick<PaidJobRow, 'id' | 'tracking_account_id'>): string =>
  `${creatorPath(row.tracking_account_id)}/audience-refresh/${row.id}`;

/** `audience.snapshot.completed`, from the job row as it ended and the snapshot it made. */
export function audienceCompletedData(
  row: PaidJobRow,
  snapshot: AudienceSnapshotRow,
): z.output<typeof audienceCompletedSchema> {
  return {
    job_id: row.id,
    status: 'completed',
    error: null,
    creator_id: row.tracking_account_id,
    snapshot: audienceSnapshotItem(snapshot),
    credits_used: row.credits_used ?? 0,
    credit_unit: 'cent',
    url: audienceJobPath(row),
  };
}

/** `audience.snapshot.failed`, from the job row as it ended. */
export function audienceFailedData(row: PaidJobRow): z.output<typeof audienceFailedSchema> {
  return {
    job_id: row.id,
    status: 'failed',
    error: row.error ?? 'error',
    error_message: row.error_message ?? 'the audience refresh failed',
    creator_id: row.tracking_account_id,
    snapshot: null,
    credits_used: row.credits_used ?? 0,
    credit_unit: 'cent',
    url: audienceJobPath(row),
  };
}

/** `posts.collection.completed` or `.failed`: the collection as its GET shows it once ended, with its creator. */
export function collectionEndedData(
  row: PaidJobRow,
): z.output<typeof collectionCompletedSchema> | z.output<typeof collectionFailedSchema> {
  const base = {
    ...collectionFieldsOf(row),
    creator_id: row.tracking_account_id,
    url: `${creatorPath(row.tracking_account_id)}/posts/collect/${row.id}`,
  };
  return row.status === 'completed'
    ? { ...base, status: 'completed', error: null, error_message: null }
    : {
        ...base,
        status: 'failed',
        error: row.error ?? 'error',
        error_message: row.error_message ?? 'the collection failed',
      };
}

// ---- breakout, accelerating, peaking ----

export const trajectoryEventSchema = z
  .object({
    id: z.uuid().describe('the tracked video'),
    cycle: z.number().int(),
    platform: z.enum(PLATFORMS),
    platform_video_id: z.string(),
    url: z.string().describe('the video on the platform'),
    true_vpd: z.number().nullable().describe('views/day over the last interval'),
    accel: z.number().nullable().describe('change of views/day per day'),
    lifetime_vpd: z.number().nullable().describe('latest views ÷ age in days'),
    peaking: z.boolean(),
    snapshots: z.number().int().describe('usable snapshots the trajectory rests on'),
    resource_url: apiPath,
  })
  .meta({ id: 'VideoTrajectoryEventData' });

/** Each event type's `data`. */
export const EVENT_DATA = {
  'tracking.cycle.completed': cycleCompletedSchema,
  'tracking.outlier_video.detected': outlierDetectedSchema,
  'tracking.paused': pausedSchema,
  'tracking.stopped': stoppedSchema,
  'audience.snapshot.completed': audienceCompletedSchema,
  'audience.snapshot.failed': audienceFailedSchema,
  'posts.collection.completed': collectionCompletedSchema,
  'posts.collection.failed': collectionFailedSchema,
  breakout: trajectoryEventSchema,
  accelerating: trajectoryEventSchema,
  peaking: trajectoryEventSchema,
  'satellite.lookup.completed': satelliteLookupCompletedSchema,
} as const satisfies Record<EventType, z.ZodType>;

const pascal = (type: string): string =>
  type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** The body a delivery of `type` POSTs. */
function eventBody<T extends EventType>(type: T) {
  return z
    .object({
      id: z.uuid().describe('the delivery’s id, also its `webhook-id` header: the same on every attempt and replay'),
      type: z.literal(type),
      timestamp: timestamp.describe('when the event happened'),
      data: EVENT_DATA[type],
    })
    .meta({ id: `${pascal(type)}Event` });
}

/** Each event type's delivery body. */
export const EVENT_BODIES = Object.fromEntries(EVENT_TYPES.map((type) => [type, eventBody(type)])) as {
  [T in EventType]: ReturnType<typeof eventBody<T>>;
};

// ---- examples, shown in the document ----

const EXAMPLE_DELIVERY_ID = 'e2a4c6e8-0b1d-5f3a-9c7e-6d8f0a2b4c6e';
const EXAMPLE_COLLECTION_ID = '3f9a1c2e-8d4b-4e6f-a1b2-c3d4e5f60718';

const trajectoryExample: z.input<typeof trajectoryEventSchema> = {
  id: EXAMPLE_VIDEO_ID,
  cycle: 4,
  platform: 'tiktok',
  platform_video_id: '7350123456789012345',
  url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
  true_vpd: 3_640_600,
  accel: 3_466_933.33,
  lifetime_vpd: 1_725_525.9,
  peaking: false,
  snapshots: 4,
  resource_url: `/v1/tracking/videos/${EXAMPLE_VIDEO_ID}`,
};

export const EVENT_DATA_EXAMPLES: { [T in EventType]: z.input<(typeof EVENT_DATA)[T]> } = {
  'tracking.cycle.completed': {
    resource_type: 'video',
    cycle: 4,
    video: videoDetailExample,
    snapshot: videoSnapshotExample,
    url: `/v1/tracking/videos/${EXAMPLE_VIDEO_ID}`,
  },
  'tracking.outlier_video.detected': {
    tracking_account_id: EXAMPLE_CREATOR_ID,
    platform: 'tiktok',
    platform_handle: 'khaby.lame',
    video_url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
    platform_video_id: '7350123456789012345',
    views: 98_400_000,
    median_views: 18_200_000,
    outlier_ratio: 5.41,
    weighted_score: 61.7,
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`,
  },
  'tracking.paused': {
    resource_type: 'creator',
    id: EXAMPLE_CREATOR_ID,
    status: 'paused',
    pause_reason: 'consecutive_failures',
    consecutive_failures: 3,
    last_failure: {
      kind: 'rate_limited',
      message: 'the platform refused the request: rate limited',
      cycle: 31,
      at: '2026-12-03T06:00:41.208Z',
    },
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`,
  },
  'tracking.stopped': {
    resource_type: 'creator',
    id: EXAMPLE_CREATOR_ID,
    status: 'stopped',
    stop_reason: 'cancelled',
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`,
  },
  'audience.snapshot.completed': {
    job_id: '4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d',
    status: 'completed',
    error: null,
    creator_id: EXAMPLE_CREATOR_ID,
    snapshot: audienceSnapshotExample,
    credits_used: 50,
    credit_unit: 'cent',
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}/audience-refresh/4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d`,
  },
  'audience.snapshot.failed': {
    job_id: '6c8e0a2c-4d6f-4a8c-9e0a-3c5e7a9c1d3f',
    status: 'failed',
    error: 'INSUFFICIENT_SAMPLE',
    error_message: 'Found 4 commenters (at least 50 are needed) and the profile declares no country, language or bio',
    creator_id: EXAMPLE_CREATOR_ID,
    snapshot: null,
    credits_used: 0,
    credit_unit: 'cent',
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}/audience-refresh/6c8e0a2c-4d6f-4a8c-9e0a-3c5e7a9c1d3f`,
  },
  'posts.collection.completed': {
    collection_id: EXAMPLE_COLLECTION_ID,
    status: 'completed',
    depth: 'deep',
    videos_collected: 200,
    max_videos: 200,
    credits_reserved: 100,
    credits_used: 100,
    error: null,
    error_message: null,
    started_at: '2026-11-30T10:02:41.107Z',
    completed_at: '2026-11-30T10:03:19.552Z',
    creator_id: EXAMPLE_CREATOR_ID,
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}/posts/collect/${EXAMPLE_COLLECTION_ID}`,
  },
  'posts.collection.failed': {
    collection_id: EXAMPLE_COLLECTION_ID,
    status: 'failed',
    depth: 'full',
    videos_collected: 0,
    max_videos: 500,
    credits_reserved: 200,
    credits_used: 0,
    error: 'private',
    error_message: 'the account is private',
    started_at: '2026-11-30T10:02:41.107Z',
    completed_at: '2026-11-30T10:02:44.930Z',
    creator_id: EXAMPLE_CREATOR_ID,
    url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}/posts/collect/${EXAMPLE_COLLECTION_ID}`,
  },
  breakout: trajectoryExample,
  accelerating: trajectoryExample,
  peaking: { ...trajectoryExample, cycle: 9, true_vpd: 402_310.5, accel: -518_944.2, peaking: true, snapshots: 9 },
  'satellite.lookup.completed': satelliteLookupCompletedExample,
};

/** A second example where one event type covers both creators and videos. */
export const CREATOR_CYCLE_EXAMPLE: z.input<typeof creatorCycleCompletedSchema> = {
  resource_type: 'creator',
  cycle: 28,
  creator: creatorDetailExample,
  snapshot: creatorSnapshotExample,
  post_count: 50,
  url: `/v1/tracking/creators/${EXAMPLE_CREATOR_ID}`,
};

const SUMMARIES: Record<EventType, string> = {
  'tracking.cycle.completed': 'A tracking cycle of a creator or a video completed (`data.resource_type` says which)',
  'tracking.outlier_video.detected':
    'A tracked creator’s post published in the last 30 days beat 3× the creator’s median views; once per post',
  'tracking.paused': 'Tracking paused automatically: three failed cycles in a row, or not enough credits',
  'tracking.stopped': 'Tracking stopped, once per creator or video: by DELETE, from the Temporal UI, or found closed',
  'audience.snapshot.completed': 'An audience refresh finished with a new snapshot',
  'audience.snapshot.failed':
    'An audience refresh failed (`data.error` says why; INSUFFICIENT_SAMPLE and cancellations are refunded)',
  'posts.collection.completed': 'A post collection completed (`data.videos_collected` posts stored)',
  'posts.collection.failed':
    'A post collection failed (`data.error` says why); its reservation was refunded, posts stored stay',
  breakout: 'A tracked video broke out: ≥ 10,000 views/day and 3× its own lifetime average',
  accelerating: 'A tracked video’s views/day grows by at least a tenth of itself per day',
  peaking: 'A tracked video’s views/day rose and has now turned down',
  'satellite.lookup.completed':
    'A satellite job ended (`data.type`: `video_outlier`, `sound_lookup`): `completed` with its `run_id`, or `failed` ' +
    'with `error` and refunded',
};

const deliveryHeaders = z.object({
  'webhook-id': z.string().describe('the delivery’s id, the body’s `id`: deduplicate on it'),
  'webhook-timestamp': z.string().describe('Unix seconds of this attempt; refuse old ones to stop replays'),
  'webhook-signature': z
    .string()
    .describe(
      '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` per signing secret, space-separated ' +
        '(two for 24 hours after a rotation); verify with any Standard Webhooks library and the `whsec_` secret',
    ),
});

/** Documents each event type's delivery under the document's `webhooks`. */
export function registerEventWebhooks(registry: OpenAPIRegistry): void {
  for (const type of EVENT_TYPES) {
    const example = {
      id: EXAMPLE_DELIVERY_ID,
      type,
      timestamp: '2026-12-01T12:00:04.512Z',
      data: EVENT_DATA_EXAMPLES[type],
    };
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `${pascal(type).charAt(0).toLowerCase()}${pascal(type).slice(1)}Event`,
      tags: ['Webhooks'],
      summary: SUMMARIES[type],
      // the receiver authenticates us: by the signature the webhook's secret makes (Standard Webhooks)
      security: [{ webhookSignature: [] }],
      description:
        'POSTed to every enabled webhook of the team subscribed to this type (or `*`) whose scope covers the ' +
        'resource; signed per Standard Webhooks. The body is byte-identical on every attempt of one delivery.',
      request: {
        headers: deliveryHeaders,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: EVENT_BODIES[type],
              ...(type === 'tracking.cycle.completed'
                ? {
                    examples: {
                      video: { summary: 'a video’s cycle', value: example },
                      creator: { summary: 'a creator’s cycle', value: { ...example, data: CREATOR_CYCLE_EXAMPLE } },
                    },
                  }
                : { example }),
            },
          },
        },
      },
      responses: {
        '2XX': { description: 'Delivered; the response body is ignored' },
        410: { description: 'Gone: the delivery ends and the webhook is disabled' },
        default: {
          description:
            'Anything else (a redirect, an error, no answer within 15 s) is retried: after 5 s, 5 min, 30 min, 2 h, ' +
            '5 h and 10 h (longer when a 429 or 503 sends `Retry-After`), then dead-lettered',
        },
      },
    });
  }
}
