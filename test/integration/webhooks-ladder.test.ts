import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { recordEvent } from '../../db/events';
import { inTransaction } from '../../db/transaction';
import { deliveryWorkflowId, type AttemptRow } from '../../db/webhooks';
import { recordHistory } from '../helpers/histories';
import { DELIVERY_LADDER_MS, MAX_DELIVERY_ATTEMPTS } from '../../domain/webhooks';
import { OutboxRelay } from '../../worker/outbox-relay';
import type { WebhookDeliveryResult } from '../../workflows/webhook-delivery';
import { activityClock } from '../helpers/activity-clock';
import { apiClient } from '../helpers/http';
import { Receiver, verifiedBy, type Script } from '../helpers/receiver';
import { newTeam } from '../helpers/teams';
import { timeSkippingForSuite } from '../helpers/time-skipping';

/**
 * The retry ladder on the time-skipping test server: hours of waiting pass in moments. Attempts record the server's
 * time (activityClock), so the gaps between them are the ladder's, and signatures are checked at that time.
 */
describe('webhook delivery ladder (time-skipping)', () => {
  let server: Server;
  let relay: OutboxRelay;
  let baseUrl: string;
  const teams: string[] = [];
  const receivers: Receiver[] = [];

  // jest runs afterAll hooks in declaration order: this one runs before the worker and test server stop
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await new Promise((done) => server.close(done));
  });
  const suite = timeSkippingForSuite({
    taskQueue: 'webhooks-ladder',
    poolSize: 5,
    webhooks: { allowInsecureLoopback: true, clock: activityClock },
  });
  const { taskQueue } = suite;
  beforeAll(async () => {
    const app = createApp({
      pool: suite.pool,
      temporal: suite.env.client,
      taskQueue,
      webhooks: { allowInsecureLoopback: true },
    });
    server = await new Promise((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    relay = new OutboxRelay({ pool: suite.pool, client: suite.env.client, taskQueue, teamIds: () => teams });
  });

  async function subscribe(script: Script, body: Record<string, unknown> = {}) {
    const team = await newTeam(suite.pool, 0);
    teams.push(team.teamId);
    const api = apiClient(baseUrl, team.key);
    const hooks = await new Receiver(script).start();
    receivers.push(hooks);
    const created = await api.post('/v1/webhooks', { url: hooks.url, enabled_events: ['*'], ...body });
    expect(created.status).toBe(201);
    return {
      api,
      hooks,
      teamId: team.teamId,
      webhookId: created.body.data.id as string,
      secret: created.body.data.secret,
    };
  }

  async function emit(teamId: string, type: 'tracking.paused' | 'tracking.cycle.completed' = 'tracking.paused') {
    const resourceId = randomUUID();
    return inTransaction(suite.pool, (client) =>
      recordEvent(client, {
        key: `ladder:${resourceId}`,
        teamId,
        type,
        resourceType: 'creator',
        resourceId,
        data: { id: resourceId, status: 'paused' },
      }),
    );
  }

  /** Relays queued events and returns the delivery of each, in the order given. */
  async function relayed(eventIds: string[]): Promise<string[]> {
    await relay.drain();
    const rows = await suite.pool.query<{ id: string; event_id: string }>(
      'SELECT id, event_id FROM webhook_deliveries WHERE event_id = ANY($1::uuid[])',
      [eventIds],
    );
    return eventIds.map((e) => {
      const row = rows.rows.find((r) => r.event_id === e);
      if (!row) throw new Error(`event ${e} has no delivery`);
      return row.id;
    });
  }

  /**
   * Awaits a delivery workflow; the test server skips time while it waits. One at a time: concurrent waits unbalance
   * the server's time-skipping lock, and it then skips past workflow tasks in flight.
   */
  const finished = (deliveryId: string, replay = 0): Promise<WebhookDeliveryResult> =>
    suite.env.client.workflow.getHandle(deliveryWorkflowId(deliveryId, replay)).result();

  async function attempts(deliveryId: string): Promise<AttemptRow[]> {
    const rows = await suite.pool.query<AttemptRow>(
      'SELECT * FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
      [deliveryId],
    );
    return rows.rows;
  }

  async function eventuallyAttempted(deliveryId: string): Promise<void> {
    for (;;) {
      if ((await attempts(deliveryId)).length > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const gapsOf = (rows: AttemptRow[]): number[] =>
    rows.slice(1).map((row, i) => row.attempted_at.getTime() - (rows[i] as AttemptRow).attempted_at.getTime());

  /** Each gap is at least its rung of the ladder and shorter than the next rung. */
  function expectLadder(rows: AttemptRow[]): void {
    gapsOf(rows).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(DELIVERY_LADDER_MS[i + 1] as number);
      expect(gap).toBeLessThan((DELIVERY_LADDER_MS[i + 2] as number | undefined) ?? Infinity);
    });
  }

  // first: the rotation compares the server's clock with an expiry set from the real one, before any skipping
  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const { api, hooks, teamId, webhookId, secret: first } = await subscribe(() => ({ status: 200 }));
    const rotated = await api.post(`/v1/webhooks/${webhookId}/rotate-secret`);
    const second = rotated.body.data.secret as string;
    expect(await suite.env.currentTimeMs()).toBeLessThan(Date.parse(rotated.body.data.previous_secret_expires_at));

    const [during] = await relayed([await emit(teamId)]);
    expect(await finished(during as string)).toEqual({ status: 'succeeded', attempts: 1 });
    const hook = hooks.requests[0]!;
    expect(hook.signature.split(' ')).toHaveLength(2);
    expect(verifiedBy(second, hook, { atAnyTime: true })).toBe(true);
    expect(verifiedBy(first, hook, { atAnyTime: true })).toBe(true);
    const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(verifiedBy(other, hook, { atAnyTime: true })).toBe(false);

    await suite.env.sleep('25 hours');
    const [after] = await relayed([await emit(teamId)]);
    expect(await finished(after as string)).toEqual({ status: 'succeeded', attempts: 1 });
    const later = hooks.requests[1]!;
    expect(later.signature.split(' ')).toHaveLength(1);
    expect(verifiedBy(second, later, { atAnyTime: true })).toBe(true);
    expect(verifiedBy(first, later, { atAnyTime: true })).toBe(false);
  });

  it('delivers every event to a receiver that was down, once each after deduplication, on the ladder', async () => {
    // per message: 503 first, then 200, except one whose 200 is lost after it was processed
    let lossy: string | undefined;
    const { hooks, teamId, secret } = await subscribe((hook, nth) => {
      if (nth === 1) return { status: 503 };
      lossy ??= hook.id;
      if (hook.id === lossy && nth === 2) return { drop: true, process: true };
      return { status: 200 };
    });
    await hooks.down();
    const events = [await emit(teamId), await emit(teamId, 'tracking.cycle.completed'), await emit(teamId)];
    const deliveries = await relayed(events);
    // every first attempt is refused while the receiver is down
    for (const id of deliveries) await eventuallyAttempted(id);
    await hooks.up();

    const results: WebhookDeliveryResult[] = [];
    for (const id of deliveries) results.push(await finished(id));
    recordHistory(suite.env.address, deliveryWorkflowId(lossy as string, 0), 'webhook-delivery-retried');
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect([...hooks.processed.keys()].sort()).toEqual([...deliveries].sort());
    expect(hooks.duplicates).toBe(1);
    expect(hooks.processed.get(deliveries[1] as string)?.json.type).toBe('tracking.cycle.completed');
    for (const hook of hooks.requests) expect(verifiedBy(secret, hook, { atAnyTime: true })).toBe(true);

    for (const id of deliveries) {
      const rows = await attempts(id);
      const codes = rows.map((r) => r.status_code);
      expect(codes[0]).toBeNull();
      expect(rows[0]!.error).toBe('connection refused');
      expect(codes.slice(-2)).toEqual(id === lossy ? [null, 200] : [503, 200]);
      expect(rows.every((r) => r.run === 0)).toBe(true);
      expectLadder(rows);
    }
    const delivery = await suite.pool.query('SELECT * FROM webhook_deliveries WHERE id = $1', [lossy]);
    expect(delivery.rows[0]).toMatchObject({ status: 'succeeded', last_status_code: 200, next_attempt_at: null });
  });

  it('honours a longer Retry-After on 429 and 503, and keeps the ladder when it is shorter', async () => {
    const { hooks, teamId } = await subscribe((_hook, nth) =>
      nth === 1
        ? { status: 429, headers: { 'retry-after': '3600' } }
        : nth === 2
          ? { status: 503, headers: { 'retry-after': '1' } }
          : { status: 200 },
    );
    const [id] = await relayed([await emit(teamId)]);
    expect(await finished(id as string)).toEqual({ status: 'succeeded', attempts: 3 });
    const rows = await attempts(id as string);
    expect(rows.map((r) => [r.status_code, r.next_delay_ms === null ? null : Number(r.next_delay_ms)])).toEqual([
      [429, 3_600_000],
      [503, DELIVERY_LADDER_MS[2]],
      [200, null],
    ]);
    const [afterRetryAfter, afterLadder] = gapsOf(rows);
    expect(afterRetryAfter).toBeGreaterThanOrEqual(3_600_000);
    expect(afterLadder).toBeGreaterThanOrEqual(DELIVERY_LADDER_MS[2] as number);
    expect(afterLadder).toBeLessThan(DELIVERY_LADDER_MS[3] as number);
    expect(hooks.processed.size).toBe(1);
  });

  it('counts a redirect as a failure and does not follow it', async () => {
    const elsewhere = await new Receiver().start();
    receivers.push(elsewhere);
    const { teamId } = await subscribe((_hook, nth) =>
      nth === 1 ? { status: 302, headers: { location: elsewhere.url } } : { status: 200 },
    );
    const [id] = await relayed([await emit(teamId)]);
    expect(await finished(id as string)).toEqual({ status: 'succeeded', attempts: 2 });
    const rows = await attempts(id as string);
    expect(rows.map((r) => [r.status_code, r.error])).toEqual([
      [302, 'redirects are not followed'],
      [200, null],
    ]);
    expect(elsewhere.connections).toBe(0);
  });

  it('disables the subscription on 410 Gone, stops its other deliveries, and delivers again once re-enabled', async () => {
    // cycle events meet 410 Gone; paused events fail once, then succeed
    const { api, hooks, teamId, webhookId } = await subscribe((hook, nth) =>
      hook.json.type === 'tracking.cycle.completed' ? { status: 410 } : nth === 1 ? { status: 500 } : { status: 200 },
    );
    const [otherId] = await relayed([await emit(teamId)]);
    await eventuallyAttempted(otherId as string);
    const [goneId] = await relayed([await emit(teamId, 'tracking.cycle.completed')]);
    expect(await finished(goneId as string)).toEqual({ status: 'failed', attempts: 1 });
    // its second attempt found the subscription disabled and stopped without sending
    expect(await finished(otherId as string)).toEqual({ status: 'failed', attempts: 1 });

    const webhook = (await api.get(`/v1/webhooks/${webhookId}`)).body.data;
    expect(webhook.enabled).toBe(false);
    expect(webhook.disabled_reason).toMatch(/^the endpoint answered 410 Gone at /);
    const log = (await api.get(`/v1/webhooks/${webhookId}/deliveries`)).body.data as any[];
    const byId = new Map(log.map((d) => [d.id, d]));
    expect(byId.get(goneId)).toMatchObject({
      status: 'failed',
      last_status_code: 410,
      ended_reason: 'the endpoint answered 410 Gone; the subscription is disabled',
    });
    expect(byId.get(otherId)).toMatchObject({ status: 'failed', attempt_count: 1, next_attempt_at: null });
    expect(byId.get(otherId).ended_reason).toMatch(/^the subscription is disabled: the endpoint answered 410 Gone/);
    expect(hooks.requests.filter((r) => r.id === otherId)).toHaveLength(1);

    // events while disabled are not delivered
    const whileDisabled = await emit(teamId);
    await relay.drain();
    expect(
      (await suite.pool.query('SELECT 1 FROM webhook_deliveries WHERE event_id = $1', [whileDisabled])).rowCount,
    ).toBe(0);

    expect((await api.patch(`/v1/webhooks/${webhookId}`, { enabled: true })).body.data).toMatchObject({
      enabled: true,
      disabled_reason: null,
    });
    const replay = await api.post(`/v1/webhooks/${webhookId}/deliveries/${otherId}/replay`);
    expect(replay.status).toBe(202);
    expect(await finished(otherId as string, 1)).toEqual({ status: 'succeeded', attempts: 1 });
    expect(hooks.processed.has(otherId as string)).toBe(true);
  });

  it('dead-letters after the last attempt, and a replay delivers it with the same webhook-id', async () => {
    let up = false;
    const { api, hooks, teamId, webhookId, secret } = await subscribe(() => ({ status: up ? 200 : 500 }));
    const [id] = await relayed([await emit(teamId)]);
    expect(await finished(id as string)).toEqual({ status: 'dead_lettered', attempts: MAX_DELIVERY_ATTEMPTS });
    recordHistory(suite.env.address, deliveryWorkflowId(id as string, 0), 'webhook-delivery-dead-lettered');
    const rows = await attempts(id as string);
    expect(rows.map((r) => r.status_code)).toEqual(Array(MAX_DELIVERY_ATTEMPTS).fill(500));
    expectLadder(rows);
    const dead = (await api.get(`/v1/webhooks/${webhookId}/deliveries/${id}`)).body.data;
    expect(dead).toMatchObject({
      status: 'dead_lettered',
      attempt_count: MAX_DELIVERY_ATTEMPTS,
      next_attempt_at: null,
      ended_reason: `no successful answer after ${MAX_DELIVERY_ATTEMPTS} attempts`,
    });
    expect(dead.attempts.map((a: any) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await api.get(`/v1/webhooks/${webhookId}/deliveries?status=dead_lettered`)).body.data).toHaveLength(1);
    expect((await api.get(`/v1/webhooks/${webhookId}/deliveries?status=succeeded`)).body.data).toHaveLength(0);

    up = true;
    const replay = await api.post(`/v1/webhooks/${webhookId}/deliveries/${id}/replay`);
    expect(replay.status).toBe(202);
    expect(await finished(id as string, 1)).toEqual({ status: 'succeeded', attempts: 1 });
    const replayed = (await api.get(`/v1/webhooks/${webhookId}/deliveries/${id}`)).body.data;
    expect(replayed).toMatchObject({ status: 'succeeded', attempt_count: 8, replays: 1, ended_reason: null });
    expect(replayed.attempts.at(-1)).toMatchObject({ attempt: 8, run: 1, status_code: 200 });
    expect(new Set(hooks.requests.map((r) => r.id))).toEqual(new Set([id]));
    expect(hooks.requests).toHaveLength(8);
    for (const hook of hooks.requests) expect(verifiedBy(secret, hook, { atAnyTime: true })).toBe(true);
  });

  it('disables a subscription whose deliveries have failed for more than 5 days, and says why', async () => {
    const { api, hooks, teamId, webhookId } = await subscribe(() => ({ status: 500 }));
    const [first] = await relayed([await emit(teamId)]);
    expect((await finished(first as string)).status).toBe('dead_lettered');
    const failingSince = (await api.get(`/v1/webhooks/${webhookId}`)).body.data.failing_since as string;
    expect(failingSince).toBe((await attempts(first as string))[0]!.attempted_at.toISOString());

    await suite.env.sleep('5 days');
    const [later] = await relayed([await emit(teamId)]);
    expect(await finished(later as string)).toEqual({ status: 'failed', attempts: 1 });
    const webhook = (await api.get(`/v1/webhooks/${webhookId}`)).body.data;
    expect(webhook.enabled).toBe(false);
    expect(webhook.disabled_reason).toBe(
      `deliveries have failed continuously since ${failingSince} (more than 5 days without a successful delivery)`,
    );
    const delivery = (await api.get(`/v1/webhooks/${webhookId}/deliveries/${later}`)).body.data;
    expect(delivery.ended_reason).toBe(`the subscription was disabled: ${webhook.disabled_reason}`);
    expect(hooks.requests).toHaveLength(MAX_DELIVERY_ATTEMPTS + 1);
  });
});
