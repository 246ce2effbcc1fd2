import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { whileHeartbeating } from './heartbeat';
import type { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { inTransaction } from '../db/transaction';
import {
  deliveryContext,
  disableSubscription,
  endDelivery,
  findAttempt,
  lockSubscription,
  recordAttempt,
  recordSubscriptionOutcome,
} from '../db/webhooks';
import { checkUrlShape, guardedLookup, systemResolver, UnsafeUrlError, type Resolver } from '../domain/ssrf';
import {
  autoDisableReason,
  decideAttempt,
  deliveryBody,
  DELIVERY_TIMEOUT_MS,
  MAX_DELIVERY_ATTEMPTS,
  parseRetryAfter,
  shouldAutoDisable,
  signingSecrets,
  type DeliveryStatus,
} from '../domain/webhooks';
import { webhookDeliveries } from '../telemetry/business-metrics';

export interface WebhookActivityOptions {
  /** `WEBHOOK_ALLOW_INSECURE_LOOPBACK`: http and literal loopback hosts, for `npm start` and tests only */
  allowInsecureLoopback?: boolean;
  /** the DNS resolver the connection guard uses (tests make a name rebind) */
  resolve?: Resolver;
  /** the attempt time: timestamps, secret expiry and the failure clock (tests read the test server's time) */
  clock?: () => Date;
  timeoutMs?: number;
}

export interface DeliveryAttemptInput {
  deliveryId: string;
  /** the attempt number across every run of the delivery: the row it is recorded under */
  attempt: number;
  /** the 0-based position on this run's ladder */
  step: number;
  /** 0 for the first run, n for the n-th replay */
  run: number;
}

export interface DeliveryAttemptResult {
  /** false when the delivery ended before sending (its subscription disabled or deleted) */
  attempted: boolean;
  status: DeliveryStatus;
  /** the wait before the next attempt while the status is pending */
  nextDelayMs: number | null;
}

const USER_AGENT = 'CreatorTracker-Webhooks/1.0';

/** `webhook-id`, `webhook-timestamp` and `webhook-signature`: one `v1,<base64 HMAC>` per secret, space-separated. */
export function signedHeaders(
  secrets: readonly string[],
  msgId: string,
  at: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(msgId, at, body)).join(' '),
  };
}

interface PostOutcome {
  statusCode: number | null;
  retryAfter: string | null;
  error: string | null;
}

function describeError(err: unknown): string {
  const error = err as NodeJS.ErrnoException;
  if (err instanceof UnsafeUrlError) return `refused: ${error.message}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset before a response';
    case 'ENOTFOUND':
      return 'host not found';
    default:
      return error.message || String(err);
  }
}

/**
 * One POST, no redirects followed (node:http never follows them), with a deadline on the whole exchange. Resolves
 * with the answer or the network error; rejects only when the activity is cancelled (worker shutdown), so that a
 * cut-short attempt is retried instead of recorded.
 */
function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { lookup: LookupFunction; timeoutMs: number; signal: AbortSignal },
): Promise<PostOutcome> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: PostOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: opts.lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
        },
      },
      (res) => {
        const retryAfter = res.headers['retry-after'];
        settle({ statusCode: res.statusCode ?? null, retryAfter: retryAfter ?? null, error: null });
        // the body is not read: drain it, and let the deadline cut a receiver that never ends it
        res.on('error', () => undefined);
        res.on('close', () => clearTimeout(timer));
        res.resume();
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no response within ${opts.timeoutMs / 1000} s`));
    }, opts.timeoutMs);
    const onAbort = (): void => {
      clearTimeout(timer);
      req.destroy();
      if (!settled) {
        settled = true;
        reject(opts.signal.reason);
      }
    };
    if (opts.signal.aborted) {
      onAbort();
      return;
    }
    opts.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      clearTimeout(timer);
      settle({ statusCode: null, retryAfter: null, error: describeError(err) });
    });
    req.on('close', () => opts.signal.removeEventListener('abort', onAbort));
    req.end(body);
  });
}

export function createWebhookActivities(pool: Pool, options: WebhookActivityOptions = {}) {
  const clock = options.clock ?? (() => new Date());
  const resolve = options.resolve ?? systemResolver;
  const policy = { allowInsecureLoopback: options.allowInsecureLoopback ?? false };
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;

  const send = async (rawUrl: string, body: string, headers: Record<string, string>): Promise<PostOutcome> => {
    let checked;
    try {
      // the policy may have changed since the URL was saved; the address is checked again as it is connected to
      checked = checkUrlShape(rawUrl, policy);
    } catch (err) {
      return { statusCode: null, retryAfter: null, error: describeError(err) };
    }
    const { cancellationSignal } = Context.current();
    return whileHeartbeating(
      () => undefined,
      () =>
        post(checked.url, body, headers, {
          lookup: guardedLookup(resolve, checked.loopbackAllowed),
          timeoutMs,
          signal: cancellationSignal,
        }),
    );
  };

  return {
    /**
     * One attempt of a delivery: re-reads the subscription (disabled or deleted ends the delivery; its current secrets
     * sign), POSTs, and records the attempt with the delivery's and the subscription's state after it in one
     * transaction. An attempt already recorded is answered from its row, so a retried activity repeats nothing.
     */
    async attemptWebhookDelivery(input: DeliveryAttemptInput): Promise<DeliveryAttemptResult> {
      const recorded = await findAttempt(pool, input.deliveryId, input.attempt);
      if (recorded) {
        return { attempted: true, status: recorded.delivery_status, nextDelayMs: recorded.next_delay_ms };
      }
      const found = await deliveryContext(pool, input.deliveryId);
      if (!found) {
        throw ApplicationFailure.create({
          type: 'delivery_not_found',
          message: `webhook delivery ${input.deliveryId} does not exist`,
          nonRetryable: true,
        });
      }
      const { subscription, event } = found;
      if (subscription.deleted_at || !subscription.enabled) {
        const reason = subscription.deleted_at
          ? 'the subscription was deleted'
          : `the subscription is disabled: ${subscription.disabled_reason ?? 'no reason recorded'}`;
        await endDelivery(pool, input.deliveryId, 'failed', reason);
        return { attempted: false, status: 'failed', nextDelayMs: null };
      }

      const at = clock();
      const body = deliveryBody({
        id: input.deliveryId,
        type: event.type,
        createdAt: event.created_at,
        data: event.data,
      });
      const headers = signedHeaders(signingSecrets(subscription, at), input.deliveryId, at, body);
      const started = performance.now();
      const sent = await send(subscription.url, body, headers);
      const latencyMs = Math.round(performance.now() - started);
      const decision = decideAttempt(input.step, {
        statusCode: sent.statusCode,
        retryAfterMs: parseRetryAfter(sent.retryAfter, at),
      });
      let error = sent.error;
      if (!error && sent.statusCode !== null && sent.statusCode >= 300 && sent.statusCode < 400) {
        error = 'redirects are not followed';
      }

      return inTransaction(pool, async (client) => {
        const sub = await lockSubscription(client, subscription.id);
        const succeeded = decision.status === 'succeeded';
        await recordSubscriptionOutcome(client, sub.id, succeeded, at);
        let status: DeliveryStatus;
        let nextDelayMs: number | null = null;
        let endedReason: string | null = null;
        if (decision.status === 'succeeded') {
          status = 'succeeded';
        } else if (decision.status === 'gone') {
          status = 'failed';
          endedReason = 'the endpoint answered 410 Gone; the subscription is disabled';
          await disableSubscription(client, sub.id, `the endpoint answered 410 Gone at ${at.toISOString()}`, at);
        } else if (decision.status === 'dead_lettered') {
          status = 'dead_lettered';
          endedReason = `no successful answer after ${MAX_DELIVERY_ATTEMPTS} attempts`;
        } else {
          status = 'pending';
          nextDelayMs = decision.delayMs;
        }
        const failingSince = sub.failing_since ?? at;
        if (!succeeded && sub.enabled && decision.status !== 'gone' && shouldAutoDisable(failingSince, at)) {
          const reason = autoDisableReason(failingSince);
          await disableSubscription(client, sub.id, reason, at);
          if (status === 'pending') {
            status = 'failed';
            nextDelayMs = null;
            endedReason = `the subscription was disabled: ${reason}`;
          }
        }
        await recordAttempt(client, {
          deliveryId: input.deliveryId,
          attempt: input.attempt,
          run: input.run,
          statusCode: sent.statusCode,
          latencyMs,
          error,
          attemptedAt: at,
          deliveryStatus: status,
          nextDelayMs,
          endedReason,
        });
        webhookDeliveries.inc({ outcome: status });
        return { attempted: true, status, nextDelayMs };
      });
    },
  };
}
