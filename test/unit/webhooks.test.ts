import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { signedHeaders } from '../../activities/webhooks';
import {
  AUTO_DISABLE_AFTER_MS,
  decideAttempt,
  deliveryBody,
  DELIVERY_LADDER_MS,
  MAX_DELIVERY_ATTEMPTS,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  shouldAutoDisable,
  signingSecrets,
  subscriptionMatches,
  type EventRef,
  type SubscriptionFilter,
} from '../../domain/webhooks';

const team = '0b6f6f3c-0000-4000-8000-000000000001';
const creator = '0b6f6f3c-0000-4000-8000-0000000000c1';
const video = '0b6f6f3c-0000-4000-8000-0000000000f1';
const t0 = new Date('2026-03-01T12:00:00Z');

const sub = (over: Partial<SubscriptionFilter> = {}): SubscriptionFilter => ({
  teamId: team,
  enabledEvents: ['*'],
  scope: null,
  createdAt: t0,
  ...over,
});
const event = (over: Partial<EventRef> = {}): EventRef => ({
  teamId: team,
  type: 'tracking.cycle.completed',
  resourceType: 'creator',
  resourceId: creator,
  createdAt: new Date(t0.getTime() + 1000),
  ...over,
});

describe('which subscriptions an event goes to', () => {
  it('matches a listed type or "*", within the team', () => {
    expect(subscriptionMatches(sub(), event())).toBe(true);
    expect(subscriptionMatches(sub({ enabledEvents: ['tracking.paused'] }), event())).toBe(false);
    expect(subscriptionMatches(sub({ enabledEvents: ['tracking.paused', 'tracking.cycle.completed'] }), event())).toBe(
      true,
    );
    expect(subscriptionMatches(sub(), event({ teamId: '0b6f6f3c-0000-4000-8000-000000000002' }))).toBe(false);
  });

  it('delivers only events created after the subscription', () => {
    expect(subscriptionMatches(sub(), event({ createdAt: new Date(t0.getTime() - 1) }))).toBe(false);
    expect(subscriptionMatches(sub(), event({ createdAt: t0 }))).toBe(true);
  });

  it('scopes to one creator (and the videos tracked under it) or one video', () => {
    const creatorScope = sub({ scope: { type: 'creator', id: creator } });
    expect(subscriptionMatches(creatorScope, event())).toBe(true);
    expect(subscriptionMatches(creatorScope, event({ resourceId: video }))).toBe(false);
    expect(
      subscriptionMatches(
        creatorScope,
        event({ type: 'breakout', resourceType: 'video', resourceId: video, videoCreatorId: creator }),
      ),
    ).toBe(true);
    expect(
      subscriptionMatches(
        creatorScope,
        event({ type: 'breakout', resourceType: 'video', resourceId: video, videoCreatorId: null }),
      ),
    ).toBe(false);
    const videoScope = sub({ scope: { type: 'video', id: video } });
    expect(subscriptionMatches(videoScope, event({ resourceType: 'video', resourceId: video }))).toBe(true);
    expect(subscriptionMatches(videoScope, event())).toBe(false);
  });
});

describe('the retry ladder', () => {
  it('is immediately, then 5 s, 5 min, 30 min, 2 h, 5 h and 10 h', () => {
    expect(DELIVERY_LADDER_MS).toEqual([0, 5e3, 300e3, 1800e3, 7200e3, 18000e3, 36000e3]);
    expect(MAX_DELIVERY_ATTEMPTS).toBe(7);
  });

  it('succeeds on 2xx only; redirects and errors wait for the next rung', () => {
    expect(decideAttempt(0, { statusCode: 200 })).toEqual({ status: 'succeeded' });
    expect(decideAttempt(3, { statusCode: 204 })).toEqual({ status: 'succeeded' });
    expect(decideAttempt(0, { statusCode: 302 })).toEqual({ status: 'retry', delayMs: 5_000 });
    expect(decideAttempt(1, { statusCode: 500 })).toEqual({ status: 'retry', delayMs: 300_000 });
    expect(decideAttempt(2, { statusCode: null })).toEqual({ status: 'retry', delayMs: 1_800_000 });
    expect(decideAttempt(0, { statusCode: 100 })).toEqual({ status: 'retry', delayMs: 5_000 });
  });

  it('ends on 410 Gone, and dead-letters after the last attempt', () => {
    expect(decideAttempt(0, { statusCode: 410 })).toEqual({ status: 'gone' });
    expect(decideAttempt(6, { statusCode: 410 })).toEqual({ status: 'gone' });
    expect(decideAttempt(6, { statusCode: 500 })).toEqual({ status: 'dead_lettered' });
    expect(decideAttempt(6, { statusCode: 200 })).toEqual({ status: 'succeeded' });
  });

  it('lets a longer Retry-After on 429 or 503 replace the next wait, capped at 24 h', () => {
    expect(decideAttempt(0, { statusCode: 429, retryAfterMs: 60_000 })).toEqual({ status: 'retry', delayMs: 60_000 });
    expect(decideAttempt(0, { statusCode: 503, retryAfterMs: 1_000 })).toEqual({ status: 'retry', delayMs: 5_000 });
    expect(decideAttempt(0, { statusCode: 500, retryAfterMs: 60_000 })).toEqual({ status: 'retry', delayMs: 5_000 });
    expect(decideAttempt(0, { statusCode: 503, retryAfterMs: 10 * RETRY_AFTER_CAP_MS })).toEqual({
      status: 'retry',
      delayMs: RETRY_AFTER_CAP_MS,
    });
  });

  it('never waits less than the ladder nor more than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_DELIVERY_ATTEMPTS - 2 }),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
        fc.option(fc.nat(), { nil: undefined }),
        (index, statusCode, retryAfterMs) => {
          const decision = decideAttempt(index, { statusCode, retryAfterMs });
          if (decision.status !== 'retry') return;
          expect(decision.delayMs).toBeGreaterThanOrEqual(DELIVERY_LADDER_MS[index + 1] as number);
          expect(decision.delayMs).toBeLessThanOrEqual(
            Math.max(RETRY_AFTER_CAP_MS, DELIVERY_LADDER_MS[index + 1] as number),
          );
        },
      ),
    );
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', t0)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', t0)).toBe(0);
    expect(parseRetryAfter(new Date(t0.getTime() + 90_000).toUTCString(), t0)).toBe(90_000);
    expect(parseRetryAfter(new Date(t0.getTime() - 90_000).toUTCString(), t0)).toBe(0);
  });

  it('caps long waits and ignores garbage', () => {
    expect(parseRetryAfter('999999999', t0)).toBe(RETRY_AFTER_CAP_MS);
    expect(parseRetryAfter('Wed, 01 Jan 2100 00:00:00 GMT', t0)).toBe(RETRY_AFTER_CAP_MS);
    expect(parseRetryAfter('-5', t0)).toBeUndefined();
    expect(parseRetryAfter('1.5', t0)).toBeUndefined();
    expect(parseRetryAfter('soon', t0)).toBeUndefined();
    expect(parseRetryAfter('', t0)).toBeUndefined();
    expect(parseRetryAfter(undefined, t0)).toBeUndefined();
  });
});

describe('auto-disable', () => {
  it('disables only after more than 5 days without a success', () => {
    expect(shouldAutoDisable(null, t0)).toBe(false);
    expect(shouldAutoDisable(t0, new Date(t0.getTime() + AUTO_DISABLE_AFTER_MS))).toBe(false);
    expect(shouldAutoDisable(t0, new Date(t0.getTime() + AUTO_DISABLE_AFTER_MS + 1))).toBe(true);
    expect(AUTO_DISABLE_AFTER_MS).toBe(5 * 24 * 3_600_000);
  });
});

describe('signing', () => {
  const current = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
  const previous = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;

  it('signs with the previous secret too until it expires', () => {
    const rotated = {
      secret: current,
      previous_secret: previous,
      previous_secret_expires_at: new Date(t0.getTime() + 1),
    };
    expect(signingSecrets(rotated, t0)).toEqual([current, previous]);
    expect(signingSecrets(rotated, new Date(t0.getTime() + 1))).toEqual([current]);
    expect(signingSecrets({ secret: current, previous_secret: null, previous_secret_expires_at: null }, t0)).toEqual([
      current,
    ]);
  });

  it('produces Standard Webhooks headers that the standardwebhooks library verifies, each secret on its own', () => {
    const body = deliveryBody({
      id: 'msg-1',
      type: 'tracking.paused',
      createdAt: t0,
      data: { id: creator, status: 'paused' },
    });
    expect(JSON.parse(body)).toEqual({
      id: 'msg-1',
      type: 'tracking.paused',
      timestamp: t0.toISOString(),
      data: { id: creator, status: 'paused' },
    });
    const now = new Date();
    const headers = signedHeaders([current, previous], 'msg-1', now, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    const other = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow(/No matching signature/);
  });
});
