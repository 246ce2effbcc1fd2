import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../../api/app';
import { deadlineBoundRetryInterceptor } from '../../api/outages';
import { createPool } from '../../db/pool';
import { freePort } from '../../scripts/postgres';
import { apiClient, eventually, type JsonResponse } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, newTeam } from '../helpers/teams';

/** A client whose server is an address nothing listens on, retrying as api/main.ts's does. */
async function deadTemporal(): Promise<{ client: Client; connection: Connection }> {
  const connection = Connection.lazy({
    address: `127.0.0.1:${await freePort()}`,
    interceptors: [deadlineBoundRetryInterceptor()],
  });
  return { client: new Client({ connection, namespace: 'default' }), connection };
}

async function serve(pool: Pool, temporal: Client, taskQueue: string, log: (line: unknown) => void) {
  const app = createApp({ pool, temporal, taskQueue, log });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function expectServiceUnavailable(res: JsonResponse, what: string): void {
  expect({ what, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
    what,
    status: 503,
    retryAfter: '5',
  });
  expect(res.body).toEqual({
    error: {
      status: 503,
      code: 'service_unavailable',
      message: expect.any(String),
      request_id: res.headers.get('x-request-id'),
    },
  });
  expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b|\bpg\b|grpc|deadline/i);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('API with Postgres unavailable', () => {
  const logged: unknown[] = [];
  let api: ReturnType<typeof apiClient>;
  let url: string;
  let pool: Pool;
  let connection: Connection;
  let close: () => Promise<void>;
  beforeAll(async () => {
    pool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`, 2);
    const temporal = await deadTemporal();
    connection = temporal.connection;
    const served = await serve(pool, temporal.client, 'unused', (line) => logged.push(line));
    close = served.close;
    url = served.url;
    api = apiClient(url, 'ct_some_key_the_database_would_check');
  });
  afterAll(async () => {
    await close();
    await connection.close();
    await pool.end();
  });

  it('answers every /v1 route family 503 with Retry-After and the envelope, at once, one log line each', async () => {
    const creator = `/v1/tracking/creators/${randomUUID()}`;
    const video = `/v1/tracking/videos/${randomUUID()}`;
    const calls: [string, () => Promise<JsonResponse>][] = [
      ['GET /v1/account', () => api.get('/v1/account')],
      ['GET /v1/usage', () => api.get('/v1/usage')],
      ['POST creators', () => api.post('/v1/tracking/creators', { platform: 'tiktok', handle: 'khaby.lame' })],
      ['GET creators', () => api.get('/v1/tracking/creators')],
      ['GET creator', () => api.get(creator)],
      ['PATCH creator', () => api.patch(creator, { status: 'paused' })],
      ['DELETE creator', () => api.delete(creator)],
      ['GET snapshots', () => api.get(`${creator}/snapshots`)],
      ['GET report', () => api.get(`${creator}/report`)],
      ['GET posts', () => api.get(`${creator}/posts`)],
      ['POST collect', () => api.post(`${creator}/posts/collect`, {})],
      ['POST audience-refresh', () => api.post(`${creator}/audience-refresh`, {})],
      ['GET audience-demographics', () => api.get(`${creator}/audience-demographics`)],
      [
        'POST videos',
        () => api.post('/v1/tracking/videos', { platform: 'youtube', url: 'https://youtu.be/dQw4w9WgXcQ' }),
      ],
      ['GET videos', () => api.get('/v1/tracking/videos')],
      ['GET video', () => api.get(video)],
      ['GET trajectory', () => api.get(`${video}/trajectory`)],
      ['GET webhooks', () => api.get('/v1/webhooks')],
      ['POST webhooks', () => api.post('/v1/webhooks', { url: 'https://example.com/hook', enabled_events: ['*'] })],
    ];
    for (const [what, call] of calls) {
      const { value, ms } = await timed(call);
      expectServiceUnavailable(value, what);
      expect({ what, fast: ms < 2_000 }).toEqual({ what, fast: true });
    }
    expect(logged).toHaveLength(calls.length);
    for (const line of logged) expect(line).toMatch(/^503 (GET|POST|PATCH|DELETE) \/v1\/\S+: Postgres unavailable/);
    // refusing a missing key needs no database
    expect((await apiClient(url).get('/v1/account')).status).toBe(401);
  });
});

/** The stack's pool, except that reading one tracked row by id fails as a dropped connection would. */
function failingRowReads(pool: Pool): Pool {
  const rowRead = /^SELECT [\s\S]*? FROM tracked_(creators|videos) WHERE id = \$1/;
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') {
        return (text: unknown, ...rest: unknown[]) => {
          const sql = typeof text === 'string' ? text : ((text as { text?: string }).text ?? '');
          if (rowRead.test(sql)) return Promise.reject(new Error('Connection terminated unexpectedly'));
          return (target.query as (...args: unknown[]) => unknown).call(target, text, ...rest);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('API with Temporal unavailable, Postgres up', () => {
  let connection: Connection;
  let dead: { url: string; close: () => Promise<void> };
  const logged: unknown[] = [];
  // jest runs afterAll hooks in declaration order: this one runs before the stack stops
  afterAll(async () => {
    await dead.close();
    await connection.close();
  });
  const suite = stackForSuite();
  beforeAll(async () => {
    const temporal = await deadTemporal();
    connection = temporal.connection;
    dead = await serve(suite.stack.pool, temporal.client, suite.stack.taskQueue, (line) => logged.push(line));
  });

  it('refuses writes 503 within the deadline, charging nothing, and serves reads from Postgres', async () => {
    const { teamId, key } = await newTeam(suite.stack.pool, 10_000);
    const live = apiClient(suite.stack.baseUrl, key);
    const created = await live.post('/v1/tracking/creators', { platform: 'tiktok', handle: 'khaby.lame' });
    expect(created.status).toBe(202);
    const id = created.body.data.id as string;
    await eventually('first cycle', async () => {
      const res = await live.get(`/v1/tracking/creators/${id}`);
      return res.body.data.finalized ? true : undefined;
    });
    const video = await live.post('/v1/tracking/videos', { platform: 'youtube', url: 'https://youtu.be/dQw4w9WgXcQ' });
    expect(video.status).toBe(202);
    const videoId = video.body.data.id as string;
    await eventually('video cycle', async () => {
      const res = await live.get(`/v1/tracking/videos/${videoId}`);
      return res.body.data.finalized ? true : undefined;
    });
    const before = await ledgerOf(suite.stack.pool, teamId);

    const api = apiClient(dead.url, key);
    const creator = `/v1/tracking/creators/${id}`;
    const writes: [string, () => Promise<JsonResponse>][] = [
      ['POST creators', () => api.post('/v1/tracking/creators', { platform: 'youtube', handle: '@mkbhd' })],
      [
        'POST videos',
        () =>
          api.post('/v1/tracking/videos', {
            platform: 'tiktok',
            url: 'https://www.tiktok.com/@khaby.lame/video/7234567890123456789',
          }),
      ],
      ['PATCH creator', () => api.patch(creator, { scrape_cadence: 'six_hours' })],
      ['DELETE creator', () => api.delete(creator)],
      ['POST collect', () => api.post(`${creator}/posts/collect`, {})],
      ['POST audience-refresh', () => api.post(`${creator}/audience-refresh`, { force: true })],
    ];
    const results = await Promise.all(writes.map(async ([what, call]) => ({ what, ...(await timed(call)) })));
    for (const { what, value, ms } of results) {
      expectServiceUnavailable(value, what);
      // an unreachable Temporal used to hold a write for about 20 s of client retries
      expect({ what, bounded: ms < 10_000 }).toEqual({ what, bounded: true });
    }
    expect(await ledgerOf(suite.stack.pool, teamId)).toEqual(before);
    expect(logged).toHaveLength(writes.length);
    for (const line of logged) expect(line).toMatch(/^503 (POST|PATCH|DELETE) \/v1\/\S+: Temporal unavailable/);

    // no GET asks Temporal: the read model answers them all
    const shown = await api.get(creator);
    expect(shown.status).toBe(200);
    expect(shown.body.data).toMatchObject({ id, platform: 'tiktok', platform_handle: 'khaby.lame', finalized: true });
    const list = await api.get('/v1/tracking/creators');
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    const snapshots = await api.get(`${creator}/snapshots`);
    expect(snapshots.status).toBe(200);
    expect(snapshots.body.data).toHaveLength(1);
    for (const path of [`${creator}/report`, `${creator}/posts`, `/v1/tracking/videos/${videoId}/trajectory`]) {
      expect({ path, status: (await api.get(path)).status }).toEqual({ path, status: 200 });
    }
  });

  it('answers a registered POST from its registration even when reading the row back fails', async () => {
    const { teamId, key } = await newTeam(suite.stack.pool, 10_000);
    const flaky = await serve(
      failingRowReads(suite.stack.pool),
      suite.stack.client,
      suite.stack.taskQueue,
      () => undefined,
    );
    try {
      const api = apiClient(flaky.url, key);
      const created = await api.post('/v1/tracking/creators', { platform: 'instagram', handle: 'natgeo' });
      expect(created.status).toBe(202);
      const id = created.body.data.id as string;
      expect(created.body.data).toEqual({
        id,
        status: 'active',
        message: expect.stringContaining('tracking started'),
        finalized: false,
        pending_jobs: [expect.objectContaining({ type: 'tracking_report', poll_url: `/v1/tracking/creators/${id}` })],
      });
      const video = await api.post('/v1/tracking/videos', { platform: 'youtube', url: 'https://youtu.be/aqz-KE-bpKQ' });
      expect(video.status).toBe(202);
      expect(video.body.data).toMatchObject({ status: 'active', finalized: false });

      // the wrapper does fail the read: the same app cannot show the creator, a healthy one can
      expectServiceUnavailable(await api.get(`/v1/tracking/creators/${id}`), 'GET creator through the flaky pool');
      const shown = await apiClient(suite.stack.baseUrl, key).get(`/v1/tracking/creators/${id}`);
      expect(shown.status).toBe(200);
      expect(shown.body.data).toMatchObject({ id, platform: 'instagram', platform_handle: 'natgeo' });
      const { entries } = await ledgerOf(suite.stack.pool, teamId);
      expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(2);
    } finally {
      await flaky.close();
    }
  });
});
