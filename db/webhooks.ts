import { randomBytes, randomUUID } from 'node:crypto';
import { MissingRowError } from './missing-row';
import type { PoolClient } from 'pg';
import type { Queryable } from './transaction';
import { v5 as uuidv5 } from 'uuid';
import { ALL_EVENTS, PREVIOUS_SECRET_GRACE_MS, type DeliveryStatus, type WebhookScope } from '../domain/webhooks';
import type { EventType } from './events';

/** Namespace for delivery ids: one event to one subscription is always the same delivery (and `webhook-id`). */
const DELIVERY_NAMESPACE = 'a4f0d6c2-3b1e-4f6a-9c85-2e7d1b0f9a34';

export const deliveryId = (eventId: string, subscriptionId: string): string =>
  uuidv5(`${eventId}:${subscriptionId}`, DELIVERY_NAMESPACE);

export const deliveryWorkflowId = (id: string, replay = 0): string =>
  replay === 0 ? `delivery:${id}` : `delivery:${id}:replay:${replay}`;

/** A signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes, base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SubscriptionRow {
  id: string;
  team_id: string;
  url: string;
  description: string | null;
  /** as the API validated them: event types, or `*` alone */
  enabled_events: (EventType | typeof ALL_EVENTS)[];
  scope_type: 'creator' | 'video' | null;
  scope_id: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export const scopeOf = (row: Pick<SubscriptionRow, 'scope_type' | 'scope_id'>): WebhookScope | null =>
  row.scope_type && row.scope_id ? { type: row.scope_type, id: row.scope_id } : null;

export interface NewSubscription {
  teamId: string;
  url: string;
  description: string | null;
  enabledEvents: string[];
  scope: WebhookScope | null;
}

export async function createSubscription(db: Queryable, input: NewSubscription): Promise<SubscriptionRow> {
  const result = await db.query<SubscriptionRow>(
    `INSERT INTO webhook_subscriptions (id, team_id, url, description, enabled_events, scope_type, scope_id, secret)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      randomUUID(),
      input.teamId,
      input.url,
      input.description,
      input.enabledEvents,
      input.scope?.type ?? null,
      input.scope?.id ?? null,
      generateWebhookSecret(),
    ],
  );
  return result.rows[0] as SubscriptionRow;
}

/** A team's live subscription; a deleted one, or another team's, is not found. */
export async function findSubscription(
  db: Queryable,
  teamId: string,
  id: string,
): Promise<SubscriptionRow | undefined> {
  const result = await db.query<SubscriptionRow>(
    'SELECT * FROM webhook_subscriptions WHERE id = $1 AND team_id = $2 AND deleted_at IS NULL',
    [id, teamId],
  );
  return result.rows[0];
}

export async function listSubscriptions(
  db: Queryable,
  teamId: string,
  opts: { page: number; limit: number },
): Promise<{ rows: SubscriptionRow[]; total: number }> {
  const total = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM webhook_subscriptions WHERE team_id = $1 AND deleted_at IS NULL',
    [teamId],
  );
  const rows = await db.query<SubscriptionRow>(
    `SELECT * FROM webhook_subscriptions WHERE team_id = $1 AND deleted_at IS NULL
     ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [teamId, opts.limit, (opts.page - 1) * opts.limit],
  );
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

export interface SubscriptionPatch {
  url?: string;
  description?: string | null;
  enabledEvents?: string[];
  enabled?: boolean;
}

/** Applies a patch; enabling clears the disabled reason and restarts the failure clock. */
export async function updateSubscription(
  db: Queryable,
  id: string,
  patch: SubscriptionPatch,
): Promise<SubscriptionRow> {
  const result = await db.query<SubscriptionRow>(
    `UPDATE webhook_subscriptions SET
       url = COALESCE($2, url),
       description = CASE WHEN $3 THEN $4 ELSE description END,
       enabled_events = COALESCE($5, enabled_events),
       enabled = COALESCE($6, enabled),
       disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason WHEN $6 THEN NULL
                              WHEN enabled THEN 'disabled through the API' ELSE disabled_reason END,
       disabled_at = CASE WHEN $6 IS NULL THEN disabled_at WHEN $6 THEN NULL
                          WHEN enabled THEN now() ELSE disabled_at END,
       failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      patch.url ?? null,
      patch.description !== undefined,
      patch.description ?? null,
      patch.enabledEvents ?? null,
      patch.enabled ?? null,
    ],
  );
  return result.rows[0] as SubscriptionRow;
}

export async function deleteSubscription(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE webhook_subscriptions SET deleted_at = now(), enabled = false, updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
}

/** A new secret; the current one becomes the previous and keeps signing for PREVIOUS_SECRET_GRACE_MS. */
export async function rotateSecret(db: Queryable, id: string): Promise<SubscriptionRow> {
  const result = await db.query<SubscriptionRow>(
    `UPDATE webhook_subscriptions SET previous_secret = secret, secret = $2,
       previous_secret_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, generateWebhookSecret(), PREVIOUS_SECRET_GRACE_MS],
  );
  return result.rows[0] as SubscriptionRow;
}

// ---- the outbox relay ----

/** The channel a trigger on `webhook_event_queue` notifies (with the team id) whenever an event is queued. */
export const WEBHOOK_EVENTS_CHANNEL = 'webhook_events';

/** Subscribes the (dedicated) connection to queued-event notifications. */
export async function listenForQueuedEvents(client: PoolClient): Promise<void> {
  await client.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
}

export async function stopListeningForQueuedEvents(client: PoolClient): Promise<void> {
  await client.query(`UNLISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
}

export interface QueuedEvent {
  id: string;
  team_id: string;
  type: string;
  resource_type: string;
  resource_id: string;
  created_at: Date;
  /** the tracked creator a video event's video belongs to */
  video_creator_id: string | null;
  /** the claim's lease: the same for every event one claim took */
  claimed_until: Date;
}

/**
 * Claims up to `limit` queued events that no relay holds, leasing them for `leaseMs`: other relays skip them until
 * the lease runs out. One statement, committed at once, so no transaction stays open while the relay calls Temporal.
 */
export async function claimQueuedEvents(
  db: Queryable,
  limit: number,
  leaseMs: number,
  teamIds?: readonly string[],
): Promise<QueuedEvent[]> {
  const result = await db.query<QueuedEvent>(
    `WITH free AS (
       SELECT event_id FROM webhook_event_queue
        WHERE ($2::uuid[] IS NULL OR team_id = ANY($2::uuid[])) AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY queued_at, event_id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE webhook_event_queue q SET claimed_until = now() + $3 * interval '1 millisecond'
         FROM free WHERE q.event_id = free.event_id
       RETURNING q.event_id, q.queued_at, q.claimed_until
     )
     SELECT e.id, e.team_id, e.type, e.resource_type, e.resource_id, e.created_at, c.claimed_until,
            (SELECT v.tracking_account_id FROM tracked_videos v
              WHERE e.resource_type = 'video' AND v.id = e.resource_id) AS video_creator_id
       FROM claimed c JOIN events e ON e.id = c.event_id
      ORDER BY c.queued_at, c.event_id`,
    [limit, teamIds ? [...teamIds] : null, leaseMs],
  );
  return result.rows;
}

/**
 * Gives claimed events back at once (a pass that failed), so the next pass need not wait for the lease; only while
 * they are still under this claim's lease, so a relay whose lease ran out cannot free events another relay now holds.
 */
export async function releaseQueuedEvents(db: Queryable, eventIds: readonly string[], lease: Date): Promise<void> {
  await db.query(
    // the lease came back as a JS Date, to the millisecond
    `UPDATE webhook_event_queue SET claimed_until = NULL
      WHERE event_id = ANY($1::uuid[]) AND date_trunc('milliseconds', claimed_until) = $2`,
    [[...eventIds], lease],
  );
}

export async function dequeueEvents(db: Queryable, eventIds: readonly string[]): Promise<void> {
  await db.query('DELETE FROM webhook_event_queue WHERE event_id = ANY($1::uuid[])', [[...eventIds]]);
}

/** Enabled, live subscriptions of the given teams: the candidates the relay matches events against. */
export async function activeSubscriptions(db: Queryable, teamIds: readonly string[]): Promise<SubscriptionRow[]> {
  const result = await db.query<SubscriptionRow>(
    `SELECT * FROM webhook_subscriptions WHERE team_id = ANY($1::uuid[]) AND enabled AND deleted_at IS NULL`,
    [[...teamIds]],
  );
  return result.rows;
}

export interface NewDelivery {
  id: string;
  subscriptionId: string;
  teamId: string;
  eventId: string;
  eventType: string;
}

/** Inserts deliveries once each (a repeat after a crash adds nothing). */
export async function insertDeliveries(db: Queryable, deliveries: readonly NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await db.query(
    `INSERT INTO webhook_deliveries (id, subscription_id, team_id, event_id, event_type)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[])
     ON CONFLICT DO NOTHING`,
    [
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.subscriptionId),
      deliveries.map((d) => d.teamId),
      deliveries.map((d) => d.eventId),
      deliveries.map((d) => d.eventType),
    ],
  );
}

/** What the relay starts a delivery's workflow with: its id, what it delivers, and what operators filter it by. */
export interface RelayedDelivery {
  id: string;
  event_type: string;
  url: string;
  team_id: string;
  resource_type: string;
  resource_id: string;
}

/** The deliveries of these events, whoever inserted them: the relay starts (or finds started) a workflow for each. */
export async function deliveriesOfEvents(db: Queryable, eventIds: readonly string[]): Promise<RelayedDelivery[]> {
  const result = await db.query<RelayedDelivery>(
    `SELECT d.id, d.event_type, s.url, d.team_id, e.resource_type, e.resource_id
       FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
       JOIN events e ON e.id = d.event_id
      WHERE d.event_id = ANY($1::uuid[]) ORDER BY d.created_at, d.id`,
    [[...eventIds]],
  );
  return result.rows;
}

// ---- deliveries and attempts ----

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  team_id: string;
  event_id: string;
  event_type: EventType;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  ended_reason: string | null;
  replays: number;
  created_at: Date;
  completed_at: Date | null;
  updated_at: Date;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  run: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  attempted_at: Date;
  delivery_status: DeliveryStatus;
  next_delay_ms: number | null;
}

export async function listDeliveries(
  db: Queryable,
  subscriptionId: string,
  opts: { page: number; limit: number; status?: DeliveryStatus; eventType?: string },
): Promise<{ rows: DeliveryRow[]; total: number }> {
  const where = 'subscription_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_type = $3)';
  const params = [subscriptionId, opts.status ?? null, opts.eventType ?? null];
  const total = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE ${where}`,
    params,
  );
  const rows = await db.query<DeliveryRow>(
    `SELECT * FROM webhook_deliveries WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
    [...params, opts.limit, (opts.page - 1) * opts.limit],
  );
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

export async function findDelivery(
  db: Queryable,
  subscriptionId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  const result = await db.query<DeliveryRow>(
    'SELECT * FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2',
    [id, subscriptionId],
  );
  return result.rows[0];
}

/** Attempts of these deliveries, grouped by delivery, in attempt order. */
export async function attemptsOf(db: Queryable, deliveryIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const result = await db.query<AttemptRow>(
    'SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt',
    [[...deliveryIds]],
  );
  const grouped = new Map<string, AttemptRow[]>();
  for (const row of result.rows) {
    const list = grouped.get(row.delivery_id) ?? [];
    list.push(row);
    grouped.set(row.delivery_id, list);
  }
  return grouped;
}

/**
 * Marks a finished delivery pending again for a replay and returns the replay number and the first attempt number of
 * the new run; undefined when the delivery is still pending (a replay would race the running ladder).
 */
export async function beginReplay(
  db: Queryable,
  id: string,
): Promise<{ replay: number; firstAttempt: number; previous: DeliveryRow } | undefined> {
  const result = await db.query<DeliveryRow & { previous_status: DeliveryStatus }>(
    `UPDATE webhook_deliveries d SET status = 'pending', replays = d.replays + 1, next_attempt_at = now(),
            ended_reason = NULL, completed_at = NULL, updated_at = now()
       FROM (SELECT id, status AS previous_status FROM webhook_deliveries WHERE id = $1 FOR UPDATE) old
      WHERE d.id = old.id AND old.previous_status <> 'pending'
      RETURNING d.*, old.previous_status`,
    [id],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return { replay: row.replays, firstAttempt: row.attempts + 1, previous: { ...row, status: row.previous_status } };
}

/** Undoes beginReplay when its workflow could not be started, so the delivery is not left pending with no run. */
export async function abandonReplay(db: Queryable, previous: DeliveryRow): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = $2, next_attempt_at = NULL, ended_reason = $3, completed_at = $4,
            updated_at = now()
      WHERE id = $1 AND status = 'pending'`,
    [previous.id, previous.status, previous.ended_reason, previous.completed_at],
  );
}

export interface DeliveryContext {
  delivery: DeliveryRow;
  subscription: SubscriptionRow;
  event: { id: string; type: string; created_at: Date; data: unknown };
}

/** What an attempt needs: the delivery, its subscription as it is now (secrets, url, enabled) and the event. */
export async function deliveryContext(db: Queryable, id: string): Promise<DeliveryContext | undefined> {
  const delivery = await db.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
  const row = delivery.rows[0];
  if (!row) return undefined;
  const subscription = await db.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE id = $1', [
    row.subscription_id,
  ]);
  const event = await db.query<DeliveryContext['event']>(
    'SELECT id, type, created_at, data FROM events WHERE id = $1',
    [row.event_id],
  );
  if (!subscription.rows[0] || !event.rows[0]) return undefined;
  return { delivery: row, subscription: subscription.rows[0], event: event.rows[0] };
}

export async function findAttempt(db: Queryable, id: string, attempt: number): Promise<AttemptRow | undefined> {
  const result = await db.query<AttemptRow>(
    'SELECT * FROM webhook_delivery_attempts WHERE delivery_id = $1 AND attempt = $2',
    [id, attempt],
  );
  return result.rows[0];
}

/** Ends a delivery without an attempt: its subscription was disabled or deleted while it waited. */
export async function endDelivery(db: Queryable, id: string, status: DeliveryStatus, reason: string): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = $2, ended_reason = $3, next_attempt_at = NULL, completed_at = now(),
            updated_at = now()
      WHERE id = $1 AND status = 'pending'`,
    [id, status, reason],
  );
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  run: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  attemptedAt: Date;
  deliveryStatus: DeliveryStatus;
  nextDelayMs: number | null;
  endedReason: string | null;
}

/** Records one attempt (a retried activity overwrites its own row) and the delivery's state after it. */
export async function recordAttempt(db: Queryable, rec: AttemptRecord): Promise<void> {
  await db.query(
    `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, run, status_code, latency_ms, error, attempted_at,
       delivery_status, next_delay_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (delivery_id, attempt) DO UPDATE SET run = EXCLUDED.run, status_code = EXCLUDED.status_code,
       latency_ms = EXCLUDED.latency_ms, error = EXCLUDED.error, attempted_at = EXCLUDED.attempted_at,
       delivery_status = EXCLUDED.delivery_status, next_delay_ms = EXCLUDED.next_delay_ms`,
    [
      rec.deliveryId,
      rec.attempt,
      rec.run,
      rec.statusCode,
      rec.latencyMs,
      rec.error,
      rec.attemptedAt,
      rec.deliveryStatus,
      rec.nextDelayMs,
    ],
  );
  await db.query(
    `UPDATE webhook_deliveries SET
       status = $2,
       attempts = (SELECT count(*)::int FROM webhook_delivery_attempts WHERE delivery_id = $1),
       last_status_code = $3, last_error = $4, last_attempt_at = $5,
       next_attempt_at = CASE WHEN $6::bigint IS NULL THEN NULL ELSE $5::timestamptz + $6 * interval '1 millisecond' END,
       ended_reason = $7,
       completed_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $5::timestamptz END,
       updated_at = now()
     WHERE id = $1`,
    [rec.deliveryId, rec.deliveryStatus, rec.statusCode, rec.error, rec.attemptedAt, rec.nextDelayMs, rec.endedReason],
  );
}

/** The subscription row, locked for the attempt's bookkeeping transaction. */
export async function lockSubscription(client: PoolClient, id: string): Promise<SubscriptionRow> {
  const result = await client.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE id = $1 FOR UPDATE', [
    id,
  ]);
  if (!result.rows[0]) throw new MissingRowError(`webhook subscription ${id}`);
  return result.rows[0];
}

/** A success ends the failure streak; a failure starts one unless one is running. */
export async function recordSubscriptionOutcome(
  client: PoolClient,
  id: string,
  succeeded: boolean,
  at: Date,
): Promise<void> {
  await client.query(
    succeeded
      ? 'UPDATE webhook_subscriptions SET failing_since = NULL, last_success_at = GREATEST(last_success_at, $2) WHERE id = $1'
      : 'UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, $2) WHERE id = $1',
    [id, at],
  );
}

export async function disableSubscription(client: PoolClient, id: string, reason: string, at: Date): Promise<void> {
  await client.query(
    `UPDATE webhook_subscriptions SET enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = now()
      WHERE id = $1 AND enabled`,
    [id, reason, at],
  );
}
