import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { errorEnvelope, registerRoutes, type Route } from './route';
import { z } from 'zod';
import { listCreatorsQuery, patchCreatorBody, snapshotsQuery, trackCreatorBody } from './creators';
import {
  audienceJobParams,
  audienceReadQuery,
  audienceRefreshBody,
  collectionParams,
  collectPostsBody,
  listPostsQuery,
  postParams,
} from './creator-jobs';
import { uuidParam } from './validation';
import { listVideosQuery, patchVideoBody, trackVideoBody, videoSnapshotsQuery } from './videos';
import {
  createWebhookBody,
  deliveryParams,
  listDeliveriesQuery,
  listWebhooksQuery,
  patchWebhookBody,
} from './webhooks';

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const errors = {
  400: json(errorEnvelope, 'Invalid parameters; `details` lists every issue'),
  401: json(errorEnvelope, 'Missing, unknown or revoked API key'),
  404: json(errorEnvelope, 'Not found, or owned by another team'),
  429: json(errorEnvelope, 'Rate limit exceeded; see Retry-After and X-RateLimit-*'),
};

const data = z.object({ data: z.unknown() });

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: readonly Route[]) {
  const registry = new OpenAPIRegistry();
  registerRoutes(registry, routes);
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  const path = (config: RouteConfig) =>
    registry.registerPath({ security: [{ bearer: [] }, { apiKey: [] }], ...config });
  const creator = '/v1/tracking/creators/{id}';

  path({
    method: 'post',
    path: '/v1/tracking/creators',
    summary: 'Track a creator (25 credits for the initial cycle)',
    request: { body: { content: { 'application/json': { schema: trackCreatorBody } } } },
    responses: {
      202: json(data, 'Tracking started; poll the creator until `finalized`'),
      200: json(data, 'The team already tracks this creator; nothing charged'),
      402: json(errorEnvelope, 'Insufficient credits'),
      ...errors,
    },
  });
  path({
    method: 'get',
    path: '/v1/tracking/creators',
    summary: 'List tracked creators',
    request: { query: listCreatorsQuery },
    responses: { 200: json(data, 'A page of creators with `pagination`'), ...errors },
  });
  path({
    method: 'get',
    path: creator,
    summary: 'Get a tracked creator',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The creator, with `finalized` and `pending_jobs`'), ...errors },
  });
  path({
    method: 'patch',
    path: creator,
    summary: 'Update status or cadence',
    request: { params: uuidParam, body: { content: { 'application/json': { schema: patchCreatorBody } } } },
    responses: { 200: json(data, 'The new tracking state'), 409: json(errorEnvelope, 'Tracking stopped'), ...errors },
  });
  path({
    method: 'delete',
    path: creator,
    summary: 'Stop tracking (soft delete)',
    request: { params: uuidParam },
    responses: { 204: { description: 'Stopped; history stays readable' }, ...errors },
  });
  path({
    method: 'get',
    path: `${creator}/snapshots`,
    summary: 'Metric snapshots with deltas',
    request: { params: uuidParam, query: snapshotsQuery },
    responses: { 200: json(data, 'Snapshots, oldest first'), ...errors },
  });
  path({
    method: 'get',
    path: `${creator}/report`,
    summary: 'Latest analysis report',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The report, or null until the first cycle completes'), ...errors },
  });
  const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
  path({
    method: 'get',
    path: `${creator}/posts`,
    summary: 'List collected posts',
    request: { params: uuidParam, query: listPostsQuery },
    responses: { 200: json(data, 'A page of posts with `pagination`'), ...errors },
  });
  path({
    method: 'get',
    path: `${creator}/posts/{post_id}`,
    summary: 'One collected post with description and duration',
    request: { params: uuidParam.extend(postParams.shape) },
    responses: { 200: json(data, 'The post'), ...errors },
  });
  path({
    method: 'post',
    path: `${creator}/posts/collect`,
    summary: 'Collect posts: standard 50 (50 credits), deep 200 (100), full 500 (200)',
    request: { params: uuidParam, body: body(collectPostsBody) },
    responses: {
      202: json(data, 'Collection started; poll `poll_url`'),
      402: json(errorEnvelope, 'Insufficient credits'),
      409: json(
        errorEnvelope,
        'A collection is already running (its id in `details.running_job_id`), or tracking stopped',
      ),
      ...errors,
    },
  });
  path({
    method: 'get',
    path: `${creator}/posts/collect/{collection_id}`,
    summary: 'Collection status',
    request: { params: uuidParam.extend(collectionParams.shape) },
    responses: { 200: json(data, 'processing, completed or failed, with progress'), ...errors },
  });
  path({
    method: 'get',
    path: `${creator}/posting-cadence`,
    summary: 'Posting frequency from the collected posts',
    request: { params: uuidParam },
    responses: {
      200: json(data, 'Gaps, rates and day-of-week counts; zeros and a message before any post'),
      ...errors,
    },
  });
  path({
    method: 'post',
    path: `${creator}/audience-refresh`,
    summary: 'Cache-first audience snapshot (50 credits on a miss)',
    request: { params: uuidParam, body: body(audienceRefreshBody) },
    responses: {
      200: json(data, 'A cached snapshot, free'),
      202: json(data, 'A refresh job started or joined; poll `pending_jobs[0].poll_url`'),
      402: json(errorEnvelope, 'Insufficient credits'),
      409: json(errorEnvelope, 'Tracking stopped'),
      ...errors,
    },
  });
  path({
    method: 'get',
    path: `${creator}/audience-refresh/{job_id}`,
    summary: 'Audience refresh job status',
    request: { params: uuidParam.extend(audienceJobParams.shape) },
    responses: { 200: json(data, 'processing, completed (with snapshot) or failed (with error)'), ...errors },
  });
  for (const half of ['demographics', 'geography'] as const) {
    path({
      method: 'get',
      path: `${creator}/audience-${half}`,
      summary: `Cached audience ${half} (free)`,
      request: { params: uuidParam, query: audienceReadQuery },
      responses: { 200: json(data, 'The latest snapshot fresh enough, or `data: null`'), ...errors },
    });
  }
  const video = '/v1/tracking/videos/{id}';
  path({
    method: 'post',
    path: '/v1/tracking/videos',
    summary: 'Track a video (25 credits for the initial cycle); scrape_cadence may be `adaptive`',
    request: { body: { content: { 'application/json': { schema: trackVideoBody } } } },
    responses: {
      202: json(data, 'Tracking started; poll the video until `finalized`'),
      200: json(data, 'The team already tracks this video; nothing charged'),
      402: json(errorEnvelope, 'Insufficient credits'),
      ...errors,
    },
  });
  path({
    method: 'get',
    path: '/v1/tracking/videos',
    summary: 'List tracked videos',
    request: { query: listVideosQuery },
    responses: { 200: json(data, 'A page of videos with `pagination`'), ...errors },
  });
  path({
    method: 'get',
    path: video,
    summary: 'Get a tracked video',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The video, with its trajectory, `finalized` and `pending_jobs`'), ...errors },
  });
  path({
    method: 'patch',
    path: video,
    summary: 'Update status or cadence',
    request: { params: uuidParam, body: { content: { 'application/json': { schema: patchVideoBody } } } },
    responses: { 200: json(data, 'The new tracking state'), 409: json(errorEnvelope, 'Tracking stopped'), ...errors },
  });
  path({
    method: 'delete',
    path: video,
    summary: 'Stop tracking (soft delete)',
    request: { params: uuidParam },
    responses: { 204: { description: 'Stopped; history stays readable' }, ...errors },
  });
  path({
    method: 'get',
    path: `${video}/snapshots`,
    summary: 'Metric snapshots with deltas',
    request: { params: uuidParam, query: videoSnapshotsQuery },
    responses: { 200: json(data, 'Snapshots, oldest first'), ...errors },
  });
  path({
    method: 'get',
    path: `${video}/report`,
    summary: 'Latest video analysis',
    request: { params: uuidParam },
    responses: { 200: json(data, 'performance, sentiment, recommendations; null until generated'), ...errors },
  });
  path({
    method: 'get',
    path: `${video}/trajectory`,
    summary: 'Views series with views/day, true velocity, acceleration and peaking',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The trajectory'), ...errors },
  });

  const webhook = '/v1/webhooks/{id}';
  path({
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Subscribe an https endpoint to events; the signing secret is in this response only',
    request: { body: { content: { 'application/json': { schema: createWebhookBody } } } },
    responses: { 201: json(data, 'The webhook, with `secret` (whsec_…)'), ...errors },
  });
  path({
    method: 'get',
    path: '/v1/webhooks',
    summary: 'List webhooks (secrets are never returned again)',
    request: { query: listWebhooksQuery },
    responses: { 200: json(data, 'A page of webhooks with `pagination`'), ...errors },
  });
  path({
    method: 'get',
    path: webhook,
    summary: 'Get a webhook',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The webhook, with `disabled_reason` when disabled'), ...errors },
  });
  path({
    method: 'patch',
    path: webhook,
    summary: 'Change url, enabled_events, description or enabled (enabling clears disabled_reason)',
    request: { params: uuidParam, body: { content: { 'application/json': { schema: patchWebhookBody } } } },
    responses: { 200: json(data, 'The updated webhook'), ...errors },
  });
  path({
    method: 'delete',
    path: webhook,
    summary: 'Delete a webhook (pending deliveries stop)',
    request: { params: uuidParam },
    responses: { 204: { description: 'Deleted' }, ...errors },
  });
  path({
    method: 'post',
    path: `${webhook}/rotate-secret`,
    summary: 'New signing secret; the previous one also signs for 24 hours',
    request: { params: uuidParam },
    responses: { 200: json(data, 'The webhook with its new `secret`'), ...errors },
  });
  path({
    method: 'get',
    path: `${webhook}/deliveries`,
    summary: 'Delivery log, newest first: attempts, status codes, latency, next attempt',
    request: { params: uuidParam, query: listDeliveriesQuery },
    responses: { 200: json(data, 'A page of deliveries with `pagination`'), ...errors },
  });
  path({
    method: 'get',
    path: `${webhook}/deliveries/{delivery_id}`,
    summary: 'One delivery with its attempts',
    request: { params: deliveryParams },
    responses: { 200: json(data, 'The delivery'), ...errors },
  });
  path({
    method: 'post',
    path: `${webhook}/deliveries/{delivery_id}/replay`,
    summary: 'Deliver again now with the same webhook-id: a fresh ladder, or the next attempt of a waiting delivery',
    request: { params: deliveryParams },
    responses: {
      202: json(data, 'The delivery, pending again'),
      409: json(errorEnvelope, 'The webhook is disabled'),
      ...errors,
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Creator Tracker API',
      version: '1.0.0',
      description:
        'Track TikTok, YouTube and Instagram creators and videos over time. Every answer is JSON; every error is the ' +
        'one envelope `{"error": {status, code, message, details?, request_id}}`. A known path asked with a method it ' +
        'does not serve answers 405 with `Allow`. Credits are cents; paid work reserves first and refunds on failure.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'Creators', description: 'Tracked creators: snapshots, reports, posts' },
      { name: 'Creator jobs', description: 'Paid jobs on a tracked creator: post collection, audience' },
      { name: 'Videos', description: 'Tracked videos and their trajectory' },
      { name: 'Webhooks', description: 'Subscriptions and their delivery log' },
      { name: 'Account', description: 'Balance and usage' },
      { name: 'Health', description: 'Liveness and readiness' },
    ],
  });
}
