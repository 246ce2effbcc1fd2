import { z } from 'zod';
import { EVENT_TYPES } from '../../db/events';
import { scopeOf, type AttemptRow, type DeliveryRow, type SubscriptionRow } from '../../db/webhooks';
import { ALL_EVENTS } from '../../domain/webhooks';
import { iso } from '../../domain/time';

/**
 * What the API shows of webhook subscriptions and their deliveries, each shape beside the mapper that builds it from
 * a row: the mapper's return type is the schema's output, so TypeScript proves they agree.
 */

const timestamp = z.iso.datetime();

export const eventTypeSchema = z.enum(EVENT_TYPES);
export const subscribedEventSchema = z.enum([...EVENT_TYPES, ALL_EVENTS]);
export const deliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed', 'dead_lettered']);

export const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string().nullable(),
    enabled_events: z.array(subscribedEventSchema).describe(`event types, or \`["${ALL_EVENTS}"]\` for every event`),
    scope: z
      .union([
        z.object({ tracking_account_id: z.uuid() }).describe('a creator and the videos tracked under it'),
        z.object({ tracked_video_id: z.uuid() }).describe('one video'),
      ])
      .nullable()
      .describe('null: every event of the team'),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    disabled_at: timestamp.nullable(),
    failing_since: timestamp.nullable().describe('the first failed attempt since the last success'),
    last_success_at: timestamp.nullable(),
    previous_secret_expires_at: timestamp
      .nullable()
      .describe('after a rotation, until when the previous secret also signs'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Webhook' });

/** A subscription as the API shows it: never its secrets. */
export function subscriptionView(row: SubscriptionRow): z.output<typeof webhookSchema> {
  const scope = scopeOf(row);
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    enabled_events: row.enabled_events,
    scope: scope
      ? scope.type === 'creator'
        ? { tracking_account_id: scope.id }
        : { tracked_video_id: scope.id }
      : null,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    disabled_at: iso(row.disabled_at),
    failing_since: iso(row.failing_since),
    last_success_at: iso(row.last_success_at),
    previous_secret_expires_at: iso(row.previous_secret_expires_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** A subscription with its signing secret: only the answers of create and rotate-secret carry it. */
export const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().describe('`whsec_` and 32 random bytes, base64; shown only in this answer') })
  .meta({ id: 'WebhookWithSecret' });

export function subscriptionWithSecret(row: SubscriptionRow): z.output<typeof webhookWithSecretSchema> {
  return { ...subscriptionView(row), secret: row.secret };
}

export const deliveryAttemptSchema = z
  .object({
    attempt: z.number().int().min(1).describe('numbered across every run of the delivery'),
    run: z.number().int().min(0).describe('0 for the first run, n for the n-th replay'),
    status_code: z.number().int().nullable().describe('null when no answer came (network error, timeout)'),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
    attempted_at: timestamp,
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export function attemptView(row: AttemptRow): z.output<typeof deliveryAttemptSchema> {
  return {
    attempt: row.attempt,
    run: row.run,
    status_code: row.status_code,
    latency_ms: row.latency_ms,
    error: row.error,
    attempted_at: row.attempted_at.toISOString(),
  };
}

export const deliverySchema = z
  .object({
    id: z.uuid().describe('also the `webhook-id` header and the body’s `id`, the same on every attempt'),
    event_id: z.uuid(),
    event_type: eventTypeSchema,
    status: deliveryStatusSchema,
    attempt_count: z.number().int(),
    attempts: z.array(deliveryAttemptSchema),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: timestamp.nullable().describe('when a pending delivery tries next'),
    ended_reason: z.string().nullable(),
    replays: z.number().int(),
    created_at: timestamp,
    completed_at: timestamp.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export function deliveryView(row: DeliveryRow, attempts: readonly AttemptRow[]): z.output<typeof deliverySchema> {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempt_count: row.attempts,
    attempts: attempts.map(attemptView),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: iso(row.next_attempt_at),
    ended_reason: row.ended_reason,
    replays: row.replays,
    created_at: row.created_at.toISOString(),
    completed_at: iso(row.completed_at),
  };
}
