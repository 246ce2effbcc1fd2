import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { recordEvent, type EventType } from '../../db/events';
import { deliveryWorkflowId } from '../../db/webhooks';
import { inTransaction } from '../../db/transaction';
import type { Resolver } from '../../domain/ssrf';
import { heuristicCreatorReportGenerator } from '../../domain/creator-report';
import { SimulatedProvider } from '../../providers/simulated';
import { OutboxRelay } from '../../worker/outbox-relay';
import { createWorker } from '../../worker/worker';
import { requireEnv, sharedWorkflowBundle } from '../helpers/env';
import { killWorkerProcess, spawnWorkerProcess } from '../helpers/worker-spawn';
import { apiClient, eventually } from '../helpers/http';
import { Receiver, verifiedBy } from '../helpers/receiver';
import { stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

/** Names the tests resolve: public at first; a test may point one elsewhere (DNS rebinding). */
const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  'private.example.com': ['10.0.0.5'],
  'rebind.example.com': ['93.184.216.34'],
};
const resolve: Resolver = async (hostname) => {
  const addresses = dns[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('webhooks API and delivery against the real stack', () => {
  const relayedTeams: string[] = [];
  const receivers: Receiver[] = [];

  // jest runs afterAll hooks in declaration order: this one runs before the stack stops
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  const suite = stackForSuite({
    webhooks: { allowInsecureLoopback: true, resolve, relayTeams: () => relayedTeams },
  });

  /** A fresh team whose events the stack's relay delivers (unless `relayed` is false). */
  async function team(relayed = true) {
    const t = await teamClient(suite.stack);
    if (relayed) relayedTeams.push(t.teamId);
    return t;
  }

  async function receiver(script?: ConstructorParameters<typeof Receiver>[0]) {
    const r = await new Receiver(script).start();
    receivers.push(r);
    return r;
  }

  async function emit(teamId: string, type: EventType = 'tracking.paused', data: unknown = { note: 'test' }) {
    const resourceId = randomUUID();
    return inTransaction(suite.stack.pool, (client) =>
      recordEvent(client, { key: `test:${resourceId}`, teamId, type, resourceType: 'creator', resourceId, data }),
    );
  }

  async function deliveryOf(api: ReturnType<typeof apiClient>, webhookId: string, eventId: string) {
    return eventually(`a delivery of event ${eventId}`, async () => {
      const res = await api.get(`/v1/webhooks/${webhookId}/deliveries`);
      return (res.body.data as any[]).find((d) => d.event_id === eventId);
    });
  }

  it('creates a webhook and shows its secret exactly once', async () => {
    const { api } = await team();
    const created = await api.post('/v1/webhooks', {
      url: 'https://hooks.example.com/in',
      enabled_events: ['tracking.cycle.completed', 'tracking.paused'],
      description: 'all tracking',
    });
    expect(created.status).toBe(201);
    const secret = created.body.data.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(created.body.data).toMatchObject({
      url: 'https://hooks.example.com/in',
      enabled_events: ['tracking.cycle.completed', 'tracking.paused'],
      description: 'all tracking',
      scope: null,
      enabled: true,
      disabled_reason: null,
    });
    const id = created.body.data.id as string;

    const one = await api.get(`/v1/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).not.toHaveProperty('secret');
    const { secret: _shown, ...withoutSecret } = created.body.data;
    expect(one.body.data).toEqual(withoutSecret);

    const list = await api.get('/v1/webhooks?limit=10');
    expect(list.body.data.map((w: any) => w.id)).toEqual([id]);
    expect(list.body.pagination).toMatchObject({ page: 1, limit: 10, total: 1, total_pages: 1 });
    for (const res of [one, list]) expect(JSON.stringify(res.body)).not.toContain(secret.slice(6));
  });

  it('refuses invalid webhooks with 400 and says why', async () => {
    const { api } = await team();
    const refused = async (body: Record<string, unknown>, message: RegExp) => {
      const res = await api.post('/v1/webhooks', { enabled_events: ['*'], ...body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ status: 400, code: 'invalid_request' });
      expect(res.body.error.message).toMatch(message);
    };
    await refused({ url: 'not a url' }, /url: must be an absolute URL/);
    await refused({ url: 'http://hooks.example.com/in' }, /url: must use https/);
    await refused({ url: 'https://10.0.0.1/in' }, /private address/);
    await refused({ url: 'https://169.254.169.254/latest/meta-data' }, /link-local/);
    await refused({ url: 'https://[::ffff:10.0.0.1]/' }, /private address/);
    await refused({ url: 'https://private.example.com/in' }, /resolves to 10\.0\.0\.5/);
    await refused({ url: 'https://metadata.google.internal/' }, /internal name/);
    await refused({ url: 'https://unknown.example.com/' }, /does not resolve/);
    await refused({ url: 'https://hooks.example.com/', enabled_events: ['tracking.exploded'] }, /enabled_events\.0/);
    await refused({ url: 'https://hooks.example.com/', enabled_events: ['*', 'breakout'] }, /stands alone/);
    await refused({ url: 'https://hooks.example.com/', enabled_events: [] }, /enabled_events/);
    await refused({ url: 'https://hooks.example.com/', secret: 'mine' }, /Unrecognized key/);
    await refused({ enabled_events: ['*'] }, /url/);
    expect((await api.get('/v1/webhooks')).body.data).toEqual([]);
  });

  it('refuses http receivers unless the development setting is on', async () => {
    const { key } = await team();
    const app = createApp({
      pool: suite.stack.pool,
      temporal: suite.stack.client,
      taskQueue: suite.stack.taskQueue,
      webhooks: { allowInsecureLoopback: false, resolve },
    });
    const server: Server = await new Promise((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    try {
      const strict = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, key);
      const res = await strict.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/must use https/);
      for (const url of ['https://127.0.0.1:9/hooks', 'https://[::ffff:127.0.0.1]/', 'https://localhost/']) {
        const loopback = await strict.post('/v1/webhooks', { url, enabled_events: ['*'] });
        expect(loopback.status).toBe(400);
        expect(loopback.body.error.message).toMatch(/loopback/);
      }
      const onDev = await apiClient(suite.stack.baseUrl, key).post('/v1/webhooks', {
        url: 'http://127.0.0.1:9/hooks',
        enabled_events: ['*'],
      });
      expect(onDev.status).toBe(201);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('updates, rotates and deletes a webhook; another team sees 404 everywhere', async () => {
    const { api } = await team();
    const other = await team();
    const created = await api.post('/v1/webhooks', { url: 'https://hooks.example.com/a', enabled_events: ['*'] });
    const id = created.body.data.id as string;
    const base = `/v1/webhooks/${id}`;

    for (const res of [
      await other.api.get(base),
      await other.api.patch(base, { enabled: false }),
      await other.api.delete(base),
      await other.api.post(`${base}/rotate-secret`),
      await other.api.get(`${base}/deliveries`),
      await other.api.get(`${base}/deliveries/${randomUUID()}`),
      await other.api.post(`${base}/deliveries/${randomUUID()}/replay`),
      await api.get(`/v1/webhooks/${randomUUID()}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await api.get('/v1/webhooks/not-a-uuid')).status).toBe(400);

    const patched = await api.patch(base, {
      url: 'https://hooks.example.com/b',
      enabled_events: ['breakout', 'peaking'],
      description: 'videos',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      url: 'https://hooks.example.com/b',
      enabled_events: ['breakout', 'peaking'],
      description: 'videos',
    });
    expect(patched.body.data).not.toHaveProperty('secret');
    expect((await api.patch(base, { url: 'https://10.0.0.1/' })).status).toBe(400);
    expect((await api.patch(base, { enabled_events: ['nope'] })).status).toBe(400);
    expect((await api.patch(base, {})).status).toBe(400);

    const disabled = await api.patch(base, { enabled: false });
    expect(disabled.body.data).toMatchObject({ enabled: false, disabled_reason: 'disabled through the API' });
    const enabled = await api.patch(base, { enabled: true, description: null });
    expect(enabled.body.data).toMatchObject({
      enabled: true,
      disabled_reason: null,
      disabled_at: null,
      description: null,
    });

    const rotated = await api.post(`${base}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    expect(rotated.body.data.secret).not.toBe(created.body.data.secret);
    const expires = Date.parse(rotated.body.data.previous_secret_expires_at);
    expect(expires - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await api.get(base)).body.data).not.toHaveProperty('secret');

    expect((await api.delete(base)).status).toBe(204);
    expect((await api.get(base)).status).toBe(404);
    expect((await api.delete(base)).status).toBe(404);
    expect((await api.get('/v1/webhooks')).body.data).toEqual([]);
    // soft delete: the row and its delivery log stay
    const row = await suite.stack.pool.query('SELECT deleted_at FROM webhook_subscriptions WHERE id = $1', [id]);
    expect(row.rows[0].deleted_at).toBeInstanceOf(Date);
  });

  it('delivers a signed tracking.cycle.completed carrying the creator as GET shows it, then replays it on request', async () => {
    const { api, teamId } = await team();
    const hooks = await receiver();
    const created = await api.post('/v1/webhooks', {
      url: hooks.url,
      enabled_events: ['tracking.cycle.completed'],
      description: 'new user on npm start',
    });
    expect(created.status).toBe(201);
    const { id: webhookId, secret } = created.body.data;

    const tracked = await api.post('/v1/tracking/creators', {
      platform: 'tiktok',
      handle: `hooked.${randomUUID().slice(0, 8)}`,
      scrape_cadence: 'twelve_hours',
    });
    expect(tracked.status).toBe(202);
    const creatorId = tracked.body.data.id as string;
    const shown = await eventually('the first cycle', async () => {
      const res = await api.get(`/v1/tracking/creators/${creatorId}`);
      return res.body.data.finalized ? res.body.data : undefined;
    });
    await hooks.waitFor('the cycle webhook', (r) => r.processed.size === 1);
    const hook = [...hooks.processed.values()][0]!;

    expect(verifiedBy(secret, hook)).toBe(true);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.json.type).toBe('tracking.cycle.completed');
    expect(hook.json.id).toBe(hook.headers['webhook-id']);
    expect(Date.parse(hook.json.timestamp)).not.toBeNaN();
    expect(hook.json.data).toMatchObject({
      resource_type: 'creator',
      cycle: 1,
      url: `/v1/tracking/creators/${creatorId}`,
    });
    expect(hook.json.data.creator).toEqual(shown);
    const snapshots = await api.get(`/v1/tracking/creators/${creatorId}/snapshots`);
    expect(hook.json.data.snapshot).toEqual(snapshots.body.data[0]);
    expect(hook.json.data.snapshot).toHaveProperty('delta_followers');
    const stored = await suite.stack.pool.query(
      "SELECT id FROM events WHERE team_id = $1 AND type = 'tracking.cycle.completed'",
      [teamId],
    );
    expect(stored.rows).toHaveLength(1);

    const delivery = await eventually('the delivery succeeded', async () => {
      const res = await api.get(`/v1/webhooks/${webhookId}/deliveries`);
      return res.body.data[0]?.status === 'succeeded' ? res.body.data[0] : undefined;
    });
    expect(delivery).toMatchObject({
      id: hook.id,
      event_id: stored.rows[0].id,
      event_type: 'tracking.cycle.completed',
      attempt_count: 1,
      next_attempt_at: null,
      last_status_code: 200,
    });
    expect(delivery.attempts).toEqual([
      expect.objectContaining({ attempt: 1, run: 0, status_code: 200, error: null, latency_ms: expect.any(Number) }),
    ]);
    // an operator finds the team's deliveries, and the creator's, in the Temporal UI
    await eventually('the delivery by its attributes', async () => {
      const found: string[] = [];
      const query = `TeamId = "${teamId}" AND JobType = "webhook_delivery" AND CreatorId = "${creatorId}"`;
      for await (const w of suite.stack.client.workflow.list({ query })) found.push(w.workflowId);
      return found.length === 1 && found[0] === deliveryWorkflowId(delivery.id, 0) ? true : undefined;
    });
    // the cycle's outlier events are not among this webhook's enabled_events
    expect((await api.get(`/v1/webhooks/${webhookId}/deliveries`)).body.pagination.total).toBe(1);
    const single = await api.get(`/v1/webhooks/${webhookId}/deliveries/${delivery.id}`);
    expect(single.body.data).toEqual(delivery);

    const replay = await api.post(`/v1/webhooks/${webhookId}/deliveries/${delivery.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body.data).toMatchObject({ id: delivery.id, status: 'pending', replays: 1 });
    await hooks.waitFor('the replay', (r) => r.requests.length === 2);
    // the same message again: same webhook-id, so a receiver that kept it deduplicates
    expect(hooks.requests[1]!.id).toBe(hook.id);
    expect(hooks.requests[1]!.body).toBe(hook.body);
    expect(hooks.duplicates).toBe(1);
    const replayed = await eventually('the replay recorded', async () => {
      const res = await api.get(`/v1/webhooks/${webhookId}/deliveries/${delivery.id}`);
      return res.body.data.status === 'succeeded' ? res.body.data : undefined;
    });
    expect(replayed.attempts.map((a: any) => [a.attempt, a.run, a.status_code])).toEqual([
      [1, 0, 200],
      [2, 1, 200],
    ]);
  });

  it('makes the next attempt at once when asked to replay a delivery still on its ladder', async () => {
    const { api, teamId } = await team();
    // the first answer asks for an hour's pause; only the replay can bring the next attempt sooner
    const hooks = await receiver((_hook, nth) =>
      nth === 1 ? { status: 503, headers: { 'retry-after': '3600' } } : { status: 200 },
    );
    const created = await api.post('/v1/webhooks', { url: hooks.url, enabled_events: ['*'] });
    const webhookId = created.body.data.id as string;
    const eventId = await emit(teamId);
    const waiting = await eventually('the first attempt', async () => {
      const d = await deliveryOf(api, webhookId, eventId);
      return d.attempt_count === 1 ? d : undefined;
    });
    expect(waiting).toMatchObject({ status: 'pending', last_status_code: 503 });
    expect(Date.parse(waiting.next_attempt_at) - Date.parse(waiting.attempts[0].attempted_at)).toBe(3_600_000);

    const replay = await api.post(`/v1/webhooks/${webhookId}/deliveries/${waiting.id}/replay`);
    expect(replay.status).toBe(202);
    const landed = await eventually('the attempt made at once', async () => {
      const d = (await api.get(`/v1/webhooks/${webhookId}/deliveries/${waiting.id}`)).body.data;
      return d.status === 'succeeded' ? d : undefined;
    });
    // the same run went on: no replay counted, attempt 2 of run 0
    expect(landed).toMatchObject({ replays: 0, attempt_count: 2, next_attempt_at: null });
    expect(landed.attempts.map((a: any) => [a.attempt, a.run, a.status_code])).toEqual([
      [1, 0, 503],
      [2, 0, 200],
    ]);
    expect(hooks.processed.size).toBe(1);

    await api.patch(`/v1/webhooks/${webhookId}`, { enabled: false });
    const refused = await api.post(`/v1/webhooks/${webhookId}/deliveries/${waiting.id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled/);
  });

  it('refuses to connect when the name rebinds to a private address after the check at creation', async () => {
    const { api, teamId } = await team();
    const hooks = await receiver();
    const created = await api.post('/v1/webhooks', {
      url: `https://rebind.example.com:${hooks.port}/hooks`,
      enabled_events: ['*'],
    });
    expect(created.status).toBe(201);
    dns['rebind.example.com'] = ['127.0.0.1'];
    const eventId = await emit(teamId);
    const delivery = await eventually('the refused attempt', async () => {
      const d = await deliveryOf(api, created.body.data.id, eventId);
      return d.attempt_count === 1 ? d : undefined;
    });
    expect(delivery.status).toBe('pending');
    expect(delivery.attempts[0]).toMatchObject({ status_code: null });
    expect(delivery.attempts[0].error).toMatch(/refused: .*rebind\.example\.com resolves to 127\.0\.0\.1, a loopback/);
    expect(hooks.connections).toBe(0);
    await api.delete(`/v1/webhooks/${created.body.data.id}`);
  });

  it('relays each event once however many relays run and however often they repeat', async () => {
    const { api, teamId } = await team();
    const hooks = await receiver();
    const created = await api.post('/v1/webhooks', { url: hooks.url, enabled_events: ['tracking.paused'] });
    const relays = [1, 2].map(
      () =>
        new OutboxRelay({
          pool: suite.stack.pool,
          client: suite.stack.client,
          taskQueue: suite.stack.taskQueue,
          teamIds: () => [teamId],
        }),
    );
    const eventIds = [await emit(teamId), await emit(teamId), await emit(teamId, 'breakout')];
    // a pass that fails (a connection that times out on a loaded machine) leaves its events for the next one
    const drained = async () => {
      await Promise.all(relays.map((r) => r.drain()));
      const left = await suite.stack.pool.query('SELECT 1 FROM webhook_event_queue WHERE team_id = $1', [teamId]);
      return left.rowCount === 0 ? left : undefined;
    };
    await eventually('the first passes to drain the queue', drained);
    await hooks.waitFor('both paused events', (r) => r.processed.size === 2);
    // a relay that crashed before dequeuing repeats its pass: the events come back, nothing is delivered twice
    await suite.stack.pool.query('INSERT INTO webhook_event_queue (event_id, team_id) SELECT unnest($1::uuid[]), $2', [
      eventIds,
      teamId,
    ]);
    const queued = await eventually('the repeated passes to drain the queue', drained);
    expect(queued.rowCount).toBe(0);
    const deliveries = await suite.stack.pool.query(
      'SELECT event_id, status FROM webhook_deliveries WHERE team_id = $1',
      [teamId],
    );
    expect(deliveries.rows.map((r) => r.event_id).sort()).toEqual(eventIds.slice(0, 2).sort());
    expect(hooks.requests).toHaveLength(2);
    expect(hooks.duplicates).toBe(0);
    expect((await api.get(`/v1/webhooks/${created.body.data.id}/deliveries`)).body.pagination.total).toBe(2);
  });

  it('loses nothing when the worker is killed in the middle of an attempt', async () => {
    // its own task queue and relay: this test replaces the worker, not the stack's
    const { api, teamId } = await team(false);
    const taskQueue = `webhooks-killed-${randomUUID()}`;
    const hooks = await receiver((_hook, nth) => (nth === 1 ? { hang: true } : { status: 200 }));
    const created = await api.post('/v1/webhooks', { url: hooks.url, enabled_events: ['*'] });
    const { secret } = created.body.data;
    const child = await spawnWorkerProcess(taskQueue, { WEBHOOK_ALLOW_INSECURE_LOOPBACK: 'true' });
    const relay = new OutboxRelay({
      pool: suite.stack.pool,
      client: suite.stack.client,
      taskQueue,
      teamIds: () => [teamId],
    });
    const eventId = await emit(teamId);
    await relay.drain();
    await hooks.waitFor('the attempt in flight', (r) => r.requests.length === 1);
    // SIGKILL while the receiver holds the request: no drain, no failure reported, the attempt simply vanishes
    await killWorkerProcess(child);
    expect(hooks.processed.size).toBe(0);

    const connection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
    const rescue = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      deps: {
        pool: suite.stack.pool,
        provider: new SimulatedProvider(),
        reportGenerator: heuristicCreatorReportGenerator,
        webhooks: { allowInsecureLoopback: true },
      },
      workflowBundle: sharedWorkflowBundle(),
    });
    const delivery = await rescue
      .runUntil(async () => {
        // the dead worker's attempt times out on its heartbeat and runs again here
        await hooks.waitFor('the attempt again', (r) => r.processed.size === 1, 40_000);
        return eventually('the delivery succeeded', async () => {
          const d = await deliveryOf(api, created.body.data.id, eventId);
          return d.status === 'succeeded' ? d : undefined;
        });
      })
      .finally(() => connection.close());
    // the cut-short attempt left no record; the same attempt ran again, with the same webhook-id
    expect(delivery.attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200 })]);
    expect(hooks.requests.map((r) => r.id)).toEqual([delivery.id, delivery.id]);
    expect(verifiedBy(secret, hooks.requests[1]!)).toBe(true);
  });
});
