import { Router, type Response } from 'express';
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
  deliveryView,
  deliveryWorkflowId,
  endDelivery,
  findDelivery,
  findSubscription,
  listDeliveries,
  listSubscriptions,
  rotateSecret,
  subscriptionView,
  updateSubscription,
  type SubscriptionRow,
} from '../db/webhooks';
import { checkWebhookUrl, systemResolver, UnsafeUrlError, type Resolver } from '../domain/ssrf';
import { ALL_EVENTS, type WebhookScope } from '../domain/webhooks';
import { retryNowSignal, type WebhookDeliveryInput } from '../workflows/webhook-messages';
import { auth } from './auth';
import { ApiError, notFound } from './errors';
import { withTemporalDeadline } from './outages';
import { pageQuery, pagination, parsePart, uuidParam } from './validation';

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
    .union([
      z.strictObject({ tracking_account_id: z.uuid({ error: 'must be a UUID' }) }),
      z.strictObject({ tracked_video_id: z.uuid({ error: 'must be a UUID' }) }),
    ])
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
  });

export const listWebhooksQuery = pageQuery(100, 20);

export const listDeliveriesQuery = pageQuery(100, 20).extend({
  status: z.enum(['pending', 'succeeded', 'failed', 'dead_lettered']).optional(),
  event_type: z.enum(EVENT_TYPES).optional(),
});

export const deliveryParams = z.object({
  id: z.uuid({ error: 'must be a UUID' }),
  delivery_id: z.uuid({ error: 'must be a UUID' }),
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

export function webhooksRouter({ pool, temporal, taskQueue, webhooks = {} }: WebhooksDeps): Router {
  const router = Router();
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

  router.post('/v1/webhooks', async (req, res) => {
    const body = parsePart('body', createWebhookBody, req.body);
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
    // the only response that ever carries the secret
    res.status(201).json({ data: { ...subscriptionView(row), secret: row.secret } });
  });

  router.get('/v1/webhooks', async (req, res) => {
    const query = parsePart('query', listWebhooksQuery, req.query);
    const { rows, total } = await listSubscriptions(pool, auth(res).teamId, query);
    res.json({ data: rows.map(subscriptionView), pagination: pagination(query.page, query.limit, total) });
  });

  router.get('/v1/webhooks/:id', async (req, res) => {
    const { id } = parsePart('path', uuidParam, req.params);
    res.json({ data: subscriptionView(await ownWebhook(res, id)) });
  });

  router.patch('/v1/webhooks/:id', async (req, res) => {
    const { id } = parsePart('path', uuidParam, req.params);
    const row = await ownWebhook(res, id);
    const patch = parsePart('body', patchWebhookBody, req.body);
    const url = patch.url === undefined ? undefined : await safeUrl(patch.url);
    const updated = await updateSubscription(pool, row.id, {
      url,
      description: patch.description,
      enabledEvents: patch.enabled_events,
      enabled: patch.enabled,
    });
    res.json({ data: subscriptionView(updated) });
  });

  router.delete('/v1/webhooks/:id', async (req, res) => {
    const { id } = parsePart('path', uuidParam, req.params);
    const row = await ownWebhook(res, id);
    await deleteSubscription(pool, row.id);
    res.status(204).end();
  });

  router.post('/v1/webhooks/:id/rotate-secret', async (req, res) => {
    const { id } = parsePart('path', uuidParam, req.params);
    const row = await rotateSecret(pool, (await ownWebhook(res, id)).id);
    res.json({ data: { ...subscriptionView(row), secret: row.secret } });
  });

  router.get('/v1/webhooks/:id/deliveries', async (req, res) => {
    const { id } = parsePart('path', uuidParam, req.params);
    const row = await ownWebhook(res, id);
    const query = parsePart('query', listDeliveriesQuery, req.query);
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
    res.json({
      data: rows.map((d) => deliveryView(d, attempts.get(d.id) ?? [])),
      pagination: pagination(query.page, query.limit, total),
    });
  });

  router.get('/v1/webhooks/:id/deliveries/:delivery_id', async (req, res) => {
    const params = parsePart('path', deliveryParams, req.params);
    const row = await ownWebhook(res, params.id);
    const delivery = await findDelivery(pool, row.id, params.delivery_id);
    if (!delivery) throw notFound('Delivery');
    const attempts = await attemptsOf(pool, [delivery.id]);
    res.json({ data: deliveryView(delivery, attempts.get(delivery.id) ?? []) });
  });

  router.post('/v1/webhooks/:id/deliveries/:delivery_id/replay', async (req, res) => {
    const params = parsePart('path', deliveryParams, req.params);
    const row = await ownWebhook(res, params.id);
    const delivery = await findDelivery(pool, row.id, params.delivery_id);
    if (!delivery) throw notFound('Delivery');
    if (!row.enabled) {
      throw new ApiError(409, 'conflict', `Webhook ${row.id} is disabled (${row.disabled_reason}); enable it first`);
    }
    let replay = await beginReplay(pool, delivery.id);
    if (!replay) {
      // still on its ladder: the waiting run makes its next attempt now
      try {
        await withTemporalDeadline(temporal, () =>
          temporal.workflow.getHandle(deliveryWorkflowId(delivery.id, delivery.replays)).signal(retryNowSignal),
        );
        const attempts = await attemptsOf(pool, [delivery.id]);
        res.status(202).json({ data: deliveryView(delivery, attempts.get(delivery.id) ?? []) });
        return;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      // pending, but its workflow is gone (terminated by an operator): close it, then replay it like any other
      await endDelivery(pool, delivery.id, 'failed', 'its delivery workflow closed before finishing');
      replay = await beginReplay(pool, delivery.id);
      if (!replay) {
        throw new ApiError(409, 'conflict', `Delivery ${delivery.id} has no attempt scheduled; try again shortly`);
      }
    }
    const input: WebhookDeliveryInput = {
      deliveryId: delivery.id,
      firstAttempt: replay.firstAttempt,
      replay: replay.replay,
    };
    try {
      await withTemporalDeadline(temporal, () =>
        temporal.workflow.start('webhookDeliveryWorkflow', {
          workflowId: deliveryWorkflowId(delivery.id, replay.replay),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `replay ${replay.replay} of ${delivery.event_type} → ${new URL(row.url).host}`,
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        await abandonReplay(pool, replay.previous);
        throw err;
      }
    }
    const updated = await findDelivery(pool, row.id, delivery.id);
    const attempts = await attemptsOf(pool, [delivery.id]);
    res.status(202).json({ data: deliveryView(updated ?? delivery, attempts.get(delivery.id) ?? []) });
  });

  return router;
}
