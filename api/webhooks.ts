import type { Response } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findCreator } from '../db/creators';
import { EVENT_TYPES } from '../db/events';
import { findVideo } from '../db/videos';
import {
  abandonReplay,
  attemptsOf,
  beginReplay,
  createSubscription,
  deleteSubscription,
  deliveryWorkflowId,
  endDelivery,
  findDelivery,
  findSubscription,
  listDeliveries,
  listSubscriptions,
  rotateSecret,
  updateSubscription,
  type DeliveryRow,
  type SubscriptionRow,
} from '../db/webhooks';
import { checkWebhookUrl, systemResolver, UnsafeUrlError, type Resolver } from '../domain/ssrf';
import { ALL_EVENTS, type WebhookScope } from '../domain/webhooks';
import { retryNowSignal, type WebhookDeliveryInput } from '../workflows/webhook-messages';
import { auth } from './auth';
import { jobSearchAttributes } from '../domain/search-attributes';
import { ApiError, notFound } from './errors';
import { withTemporalDeadline } from './outages';
import { dataOf, pageOf, route, type Route } from './route';
import {
  deliverySchema,
  deliveryView,
  subscriptionView,
  subscriptionWithSecret,
  webhookSchema,
  webhookWithSecretSchema,
} from './schemas/webhooks';
import { pageQuery, pagination, uuidParam, uuidString } from './validation';

const eventName = z.enum([...EVENT_TYPES, ALL_EVENTS], {
  error: `must be one of ${[...EVENT_TYPES, ALL_EVENTS].join(', ')}`,
});

const enabledEvents = z
  .array(eventName)
  .min(1)
  .max(EVENT_TYPES.length + 1)
  .refine((events) => !events.includes(ALL_EVENTS) || events.length === 1, {
    message: `"${ALL_EVENTS}" means every event and stands alone`,
  })
  .transform((events) => [...new Set(events)]);

const webhookUrl = z.string().trim().min(1).max(2048);
const description = z.string().trim().max(500);

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  enabled_events: enabledEvents,
  description: description.nullable().optional(),
  scope: z
    .union([z.strictObject({ tracking_account_id: uuidString }), z.strictObject({ tracked_video_id: uuidString })])
    .optional(),
});

export const patchWebhookBody = z
  .strictObject({
    url: webhookUrl.optional(),
    enabled_events: enabledEvents.optional(),
    description: description.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: 'send url, enabled_events, description and/or enabled',
  })
  // the document says what the refinement enforces
  .meta({ minProperties: 1 } as never);

export const listWebhooksQuery = pageQuery(100, 20);

export const listDeliveriesQuery = pageQuery(100, 20).extend({
  status: z.enum(['pending', 'succeeded', 'failed', 'dead_lettered']).optional(),
  event_type: z.enum(EVENT_TYPES).optional(),
});

export const deliveryParams = z.object({
  id: uuidString,
  delivery_id: uuidString,
});

export interface WebhookApiOptions {
  /** `WEBHOOK_ALLOW_INSECURE_LOOPBACK`: allow http://127.0.0.1 / localhost receivers (development and tests only) */
  allowInsecureLoopback?: boolean;
  /** resolves receiver host names for the SSRF check; the system resolver unless given */
  resolve?: Resolver;
}

export interface WebhooksDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  webhooks?: WebhookApiOptions;
}

const EXAMPLE_WEBHOOK = '9d3e5f7a-1b2c-4d6e-8f0a-b1c2d3e4f5a6';
const EXAMPLE_DELIVERY = 'e2a4c6e8-0b1d-5f3a-9c7e-6d8f0a2b4c6e';
const EXAMPLE_EVENT = '1f3b5d7f-9a2c-5e4b-8d6f-0a1c3e5b7d9f';
const EXAMPLE_CREATOR = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d';
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw0r7ZbCtDjdQ=';

const webhookExample: z.input<typeof webhookSchema> = {
  id: EXAMPLE_WEBHOOK,
  url: 'https://hooks.example.com/creator-tracker',
  description: 'Slack alerts for outliers',
  enabled_events: ['tracking.outlier_video.detected', 'tracking.paused'],
  scope: { tracking_account_id: EXAMPLE_CREATOR },
  enabled: true,
  disabled_reason: null,
  disabled_at: null,
  failing_since: null,
  last_success_at: '2026-12-01T12:00:05.120Z',
  previous_secret_expires_at: null,
  created_at: '2026-11-30T09:15:00.000Z',
  updated_at: '2026-11-30T09:15:00.000Z',
};

const deliveryExample: z.input<typeof deliverySchema> = {
  id: EXAMPLE_DELIVERY,
  event_id: EXAMPLE_EVENT,
  event_type: 'tracking.outlier_video.detected',
  status: 'succeeded',
  attempt_count: 2,
  attempts: [
    {
      attempt: 1,
      run: 0,
      status_code: 503,
      latency_ms: 212,
      error: null,
      attempted_at: '2026-12-01T12:00:04.980Z',
    },
    {
      attempt: 2,
      run: 0,
      status_code: 200,
      latency_ms: 87,
      error: null,
      attempted_at: '2026-12-01T12:00:10.011Z',
    },
  ],
  last_status_code: 200,
  last_error: null,
  next_attempt_at: null,
  ended_reason: null,
  replays: 0,
  created_at: '2026-12-01T12:00:04.870Z',
  completed_at: '2026-12-01T12:00:10.011Z',
};

const pendingDeliveryExample: z.input<typeof deliverySchema> = {
  ...deliveryExample,
  status: 'pending',
  next_attempt_at: '2026-12-01T15:30:00.000Z',
  replays: 1,
  completed_at: null,
};

export function webhookRoutes({ pool, temporal, taskQueue, webhooks = {} }: WebhooksDeps): Route[] {
  const policy = { allowInsecureLoopback: webhooks.allowInsecureLoopback ?? false };
  const resolve = webhooks.resolve ?? systemResolver;

  const safeUrl = async (raw: string): Promise<string> => {
    try {
      return (await checkWebhookUrl(raw, policy, resolve)).href;
    } catch (err) {
      if (!(err instanceof UnsafeUrlError)) throw err;
      throw new ApiError(400, 'invalid_request', `Invalid url: ${err.message}`, [
        { location: 'body', path: 'url', message: err.message },
      ]);
    }
  };

  const ownWebhook = async (res: Response, id: string): Promise<SubscriptionRow> => {
    const row = await findSubscription(pool, auth(res).teamId, id);
    if (!row) throw notFound('Webhook');
    return row;
  };

  const ownScope = async (
    teamId: string,
    scope: z.output<typeof createWebhookBody>['scope'],
  ): Promise<WebhookScope | null> => {
    if (!scope) return null;
    if ('tracking_account_id' in scope) {
      const creator = await findCreator(pool, teamId, scope.tracking_account_id);
      if (!creator || creator.deleted_at) throw notFound('Tracked creator');
      return { type: 'creator', id: creator.id };
    }
    const video = await findVideo(pool, teamId, scope.tracked_video_id);
    if (!video || video.deleted_at) throw notFound('Tracked video');
    return { type: 'video', id: video.id };
  };

  const withAttempts = async (delivery: DeliveryRow) => {
    const attempts = await attemptsOf(pool, [delivery.id]);
    return deliveryView(delivery, attempts.get(delivery.id) ?? []);
  };

  const webhook = '/v1/webhooks/{id}';
  const delivery = `${webhook}/deliveries/{delivery_id}`;
  const noWebhook = 'No webhook with this id in the team';
  const noDelivery = 'No webhook with this id in the team, or no delivery with this id to it';

  return [
    route({
      method: 'post',
      path: '/v1/webhooks',
      operationId: 'createWebhook',
      tag: 'Webhooks',
      summary: 'Subscribe an https endpoint to events; the signing secret is in this response only',
      description:
        'Deliveries follow Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, ' +
        'the body described under `webhooks` in this document. Only 2xx counts as delivered; 7 attempts over about ' +
        '17.6 hours, then the delivery is dead-lettered.',
      request: {
        body: createWebhookBody,
        bodyExample: {
          url: 'https://hooks.example.com/creator-tracker',
          enabled_events: ['tracking.outlier_video.detected', 'tracking.paused'],
          description: 'Slack alerts for outliers',
          scope: { tracking_account_id: EXAMPLE_CREATOR },
        },
      },
      responses: {
        201: {
          description: 'The webhook, with `secret` (whsec_…)',
          schema: dataOf(webhookWithSecretSchema),
          example: { data: { ...webhookExample, last_success_at: null, secret: EXAMPLE_SECRET } },
        },
      },
      errors: { 404: 'The scope names no creator or video the team tracks' },
      handler: async ({ body, res }) => {
        const { teamId } = auth(res);
        const url = await safeUrl(body.url);
        const scope = await ownScope(teamId, body.scope);
        const row = await createSubscription(pool, {
          teamId,
          url,
          description: body.description ?? null,
          enabledEvents: body.enabled_events,
          scope,
        });
        // the only answers that ever carry the secret: this one and rotate-secret's
        return { status: 201, body: { data: subscriptionWithSecret(row) } };
      },
    }),

    route({
      method: 'get',
      path: '/v1/webhooks',
      operationId: 'listWebhooks',
      tag: 'Webhooks',
      summary: 'List webhooks, newest first (secrets are never returned again)',
      request: { query: listWebhooksQuery },
      responses: {
        200: {
          description: 'A page of webhooks with `pagination`',
          schema: pageOf(webhookSchema),
          example: {
            data: [webhookExample],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      handler: async ({ query, res }) => {
        const { rows, total } = await listSubscriptions(pool, auth(res).teamId, query);
        return {
          status: 200,
          body: { data: rows.map(subscriptionView), pagination: pagination(query.page, query.limit, total) },
        };
      },
    }),

    route({
      method: 'get',
      path: webhook,
      operationId: 'getWebhook',
      tag: 'Webhooks',
      summary: 'Get a webhook',
      request: { params: uuidParam },
      responses: {
        200: {
          description: 'The webhook, with `disabled_reason` when disabled',
          schema: dataOf(webhookSchema),
          example: { data: webhookExample },
        },
      },
      errors: { 404: noWebhook },
      handler: async ({ params, res }) => ({
        status: 200,
        body: { data: subscriptionView(await ownWebhook(res, params.id)) },
      }),
    }),

    route({
      method: 'patch',
      path: webhook,
      operationId: 'updateWebhook',
      tag: 'Webhooks',
      summary: 'Change url, enabled_events, description or enabled (enabling clears disabled_reason)',
      request: {
        params: uuidParam,
        body: patchWebhookBody,
        bodyExample: { enabled_events: ['*'], enabled: true },
      },
      responses: {
        200: {
          description: 'The updated webhook',
          schema: dataOf(webhookSchema),
          example: { data: { ...webhookExample, enabled_events: ['*'], updated_at: '2026-12-01T13:02:11.400Z' } },
        },
      },
      errors: { 404: noWebhook },
      handler: async ({ params, body, res }) => {
        const row = await ownWebhook(res, params.id);
        const url = body.url === undefined ? undefined : await safeUrl(body.url);
        const updated = await updateSubscription(pool, row.id, {
          url,
          description: body.description,
          enabledEvents: body.enabled_events,
          enabled: body.enabled,
        });
        return { status: 200, body: { data: subscriptionView(updated) } };
      },
    }),

    route({
      method: 'delete',
      path: webhook,
      operationId: 'deleteWebhook',
      tag: 'Webhooks',
      summary: 'Delete a webhook (pending deliveries stop)',
      request: { params: uuidParam },
      responses: { 204: { description: 'Deleted' } },
      errors: { 404: noWebhook },
      handler: async ({ params, res }) => {
        const row = await ownWebhook(res, params.id);
        await deleteSubscription(pool, row.id);
        return { status: 204 };
      },
    }),

    route({
      method: 'post',
      path: `${webhook}/rotate-secret`,
      operationId: 'rotateWebhookSecret',
      tag: 'Webhooks',
      summary: 'New signing secret; the previous one also signs for 24 hours',
      request: { params: uuidParam },
      responses: {
        200: {
          description:
            'The webhook with its new `secret`; `previous_secret_expires_at` says until when the old one signs',
          schema: dataOf(webhookWithSecretSchema),
          example: {
            data: {
              ...webhookExample,
              previous_secret_expires_at: '2026-12-02T13:05:00.000Z',
              updated_at: '2026-12-01T13:05:00.000Z',
              secret: EXAMPLE_SECRET,
            },
          },
        },
      },
      errors: { 404: noWebhook },
      handler: async ({ params, res }) => {
        const row = await rotateSecret(pool, (await ownWebhook(res, params.id)).id);
        return { status: 200, body: { data: subscriptionWithSecret(row) } };
      },
    }),

    route({
      method: 'get',
      path: `${webhook}/deliveries`,
      operationId: 'listWebhookDeliveries',
      tag: 'Webhooks',
      summary: 'Delivery log, newest first: attempts, status codes, latency, next attempt',
      request: { params: uuidParam, query: listDeliveriesQuery },
      responses: {
        200: {
          description: 'A page of deliveries with `pagination`',
          schema: pageOf(deliverySchema),
          example: {
            data: [deliveryExample],
            pagination: { page: 1, limit: 20, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      errors: { 404: noWebhook },
      handler: async ({ params, query, res }) => {
        const row = await ownWebhook(res, params.id);
        const { rows, total } = await listDeliveries(pool, row.id, {
          page: query.page,
          limit: query.limit,
          status: query.status,
          eventType: query.event_type,
        });
        const attempts = await attemptsOf(
          pool,
          rows.map((d) => d.id),
        );
        return {
          status: 200,
          body: {
            data: rows.map((d) => deliveryView(d, attempts.get(d.id) ?? [])),
            pagination: pagination(query.page, query.limit, total),
          },
        };
      },
    }),

    route({
      method: 'get',
      path: delivery,
      operationId: 'getWebhookDelivery',
      tag: 'Webhooks',
      summary: 'One delivery with its attempts',
      request: { params: deliveryParams },
      responses: {
        200: { description: 'The delivery', schema: dataOf(deliverySchema), example: { data: deliveryExample } },
      },
      errors: { 404: noDelivery },
      handler: async ({ params, res }) => {
        const row = await ownWebhook(res, params.id);
        const found = await findDelivery(pool, row.id, params.delivery_id);
        if (!found) throw notFound('Delivery');
        return { status: 200, body: { data: await withAttempts(found) } };
      },
    }),

    route({
      method: 'post',
      path: `${delivery}/replay`,
      operationId: 'replayWebhookDelivery',
      tag: 'Webhooks',
      summary: 'Deliver again now with the same webhook-id: a fresh ladder, or the next attempt of a waiting delivery',
      request: { params: deliveryParams },
      responses: {
        202: {
          description: 'The delivery, pending again',
          schema: dataOf(deliverySchema),
          example: { data: pendingDeliveryExample },
        },
      },
      errors: { 404: noDelivery, 409: 'The webhook is disabled, or the delivery has no attempt scheduled yet' },
      handler: async ({ params, res }) => {
        const row = await ownWebhook(res, params.id);
        const found = await findDelivery(pool, row.id, params.delivery_id);
        if (!found) throw notFound('Delivery');
        if (!row.enabled) {
          throw new ApiError(
            409,
            'conflict',
            `Webhook ${row.id} is disabled (${row.disabled_reason}); enable it first`,
          );
        }
        let replay = await beginReplay(pool, found.id);
        if (!replay) {
          // still on its ladder: the waiting run makes its next attempt now
          try {
            await withTemporalDeadline(temporal, () =>
              temporal.workflow.getHandle(deliveryWorkflowId(found.id, found.replays)).signal(retryNowSignal),
            );
            return { status: 202, body: { data: await withAttempts(found) } };
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
          // pending, but its workflow is gone (terminated by an operator): close it, then replay it like any other
          await endDelivery(pool, found.id, 'failed', 'its delivery workflow closed before finishing');
          replay = await beginReplay(pool, found.id);
          if (!replay) {
            throw new ApiError(409, 'conflict', `Delivery ${found.id} has no attempt scheduled; try again shortly`);
          }
        }
        const input: WebhookDeliveryInput = {
          deliveryId: found.id,
          firstAttempt: replay.firstAttempt,
          replay: replay.replay,
        };
        try {
          await withTemporalDeadline(temporal, () =>
            temporal.workflow.start('webhookDeliveryWorkflow', {
              workflowId: deliveryWorkflowId(found.id, replay.replay),
              taskQueue,
              args: [input],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              staticSummary: `replay ${replay.replay} of ${found.event_type} → ${new URL(row.url).host}`,
              typedSearchAttributes: jobSearchAttributes({ teamId: row.team_id, jobType: 'webhook_delivery' }),
            }),
          );
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
            await abandonReplay(pool, replay.previous);
            throw err;
          }
        }
        const updated = await findDelivery(pool, row.id, found.id);
        return { status: 202, body: { data: await withAttempts(updated ?? found) } };
      },
    }),
  ];
}
