/**
 * Webhook rules with plain data in and out: which subscription an event goes to, the retry ladder, Retry-After,
 * what an attempt's answer means, auto-disable, and Standard Webhooks signing. Workflows import this module too.
 */

export const ALL_EVENTS = '*';

/**
 * The wait before each attempt, from the previous one: the first goes at once, then 5 s, 5 min, 30 min, 2 h, 5 h and
 * 10 h later (7 attempts over about 17.6 hours); after the last one the delivery is dead-lettered.
 */
export const DELIVERY_LADDER_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
];
export const MAX_DELIVERY_ATTEMPTS = DELIVERY_LADDER_MS.length;

/** One attempt may take this long, connection included; a slower receiver counts as a failure. */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** A Retry-After longer than this is read as this. */
export const RETRY_AFTER_CAP_MS = 24 * 3_600_000;
/** A subscription with no successful delivery since a failure this long ago is disabled. */
export const AUTO_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;
/** After a rotation the previous secret keeps signing (a second signature) for this long. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead_lettered';

export interface WebhookScope {
  type: 'creator' | 'video';
  id: string;
}

export interface SubscriptionFilter {
  teamId: string;
  enabledEvents: readonly string[];
  scope: WebhookScope | null;
  createdAt: Date;
}

export interface EventRef {
  teamId: string;
  type: string;
  resourceType: string;
  resourceId: string;
  createdAt: Date;
  /** for a video event, the tracked creator the video was registered under, if any */
  videoCreatorId?: string | null;
}

/**
 * Whether a subscription receives an event: same team, a listed type (or `*`), inside its scope (a creator scope
 * also covers videos tracked under that creator), and not older than the subscription.
 */
export function subscriptionMatches(sub: SubscriptionFilter, event: EventRef): boolean {
  if (sub.teamId !== event.teamId) return false;
  if (event.createdAt.getTime() < sub.createdAt.getTime()) return false;
  if (!sub.enabledEvents.includes(ALL_EVENTS) && !sub.enabledEvents.includes(event.type)) return false;
  if (!sub.scope) return true;
  if (sub.scope.type === event.resourceType && sub.scope.id === event.resourceId) return true;
  return sub.scope.type === 'creator' && event.resourceType === 'video' && event.videoCreatorId === sub.scope.id;
}

/** A Retry-After header in milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, RETRY_AFTER_CAP_MS);
  // an HTTP date has a weekday or month name; a bare number or garbage is not one
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now.getTime(), 0), RETRY_AFTER_CAP_MS);
}

export interface AttemptAnswer {
  /** the HTTP status, or null when no response arrived (refused, timed out, blocked address) */
  statusCode: number | null;
  /** a parsed Retry-After, honoured on 429 and 503 */
  retryAfterMs?: number;
}

export type AttemptDecision =
  { status: 'succeeded' } | { status: 'gone' } | { status: 'dead_lettered' } | { status: 'retry'; delayMs: number };

/**
 * What an answer means for attempt `index` (0-based) of a run: only 2xx succeeds (a redirect is a failure), 410 Gone
 * ends the delivery and disables the subscription, the last attempt dead-letters, anything else waits for the next rung
 * of the ladder, or for a longer Retry-After on 429/503.
 */
export function decideAttempt(index: number, answer: AttemptAnswer): AttemptDecision {
  const code = answer.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'succeeded' };
  if (code === 410) return { status: 'gone' };
  if (index + 1 >= MAX_DELIVERY_ATTEMPTS) return { status: 'dead_lettered' };
  const ladder = DELIVERY_LADDER_MS[index + 1] as number;
  const honoured = (code === 429 || code === 503) && answer.retryAfterMs !== undefined ? answer.retryAfterMs : 0;
  return { status: 'retry', delayMs: Math.max(ladder, Math.min(honoured, RETRY_AFTER_CAP_MS)) };
}

/** Whether a failure at `now` disables a subscription that has not delivered successfully since `failingSince`. */
export function shouldAutoDisable(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() > AUTO_DISABLE_AFTER_MS;
}

export function autoDisableReason(failingSince: Date): string {
  const days = AUTO_DISABLE_AFTER_MS / (24 * 3_600_000);
  return `deliveries have failed continuously since ${failingSince.toISOString()} (more than ${days} days without a successful delivery)`;
}

export interface SubscriptionSecrets {
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/** The secrets that sign an attempt at `now`: the current one, and the one before a rotation until it expires. */
export function signingSecrets(sub: SubscriptionSecrets, now: Date): string[] {
  const previousValid =
    sub.previous_secret !== null &&
    sub.previous_secret_expires_at !== null &&
    sub.previous_secret_expires_at.getTime() > now.getTime();
  return previousValid ? [sub.secret, sub.previous_secret as string] : [sub.secret];
}

/**
 * The Standard Webhooks body `{ type, timestamp, data }` plus `id`, the delivery's `webhook-id` (seed 002 has receivers
 * dedupe on the body's id), byte-identical on every attempt of one delivery.
 */
export function deliveryBody(event: { id: string; type: string; createdAt: Date; data: unknown }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    data: event.data,
  });
}
