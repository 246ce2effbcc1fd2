import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createPool } from '../../db/pool';
import { freePort } from '../../scripts/postgres';
import { requireEnv, testDatabaseUrl } from '../helpers/env';
import { stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('health over HTTP against real Postgres and Temporal', () => {
  const suite = stackForSuite();

  it('answers {"status":"ok"} and the data sources without auth when Postgres and Temporal are reachable', async () => {
    const res = await fetch(`${suite.stack.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { instance_id: string };
    // the process's name, so `npm start` knows its own API from another program on the port
    expect(body.instance_id).toMatch(/^[0-9a-f-]{36}$/);
    const again = (await (await fetch(`${suite.stack.baseUrl}/healthz`)).json()) as { instance_id: string };
    expect(again.instance_id).toBe(body.instance_id);
    expect(body).toEqual({
      status: 'ok',
      instance_id: body.instance_id,
      sources: {
        platforms: { tiktok: 'simulated', youtube: 'simulated', instagram: 'simulated' },
        reports: { generator: 'heuristic' },
      },
    });
  });

  it('round-trips a workflow whose activity writes a row that the API reads back', async () => {
    const url = `${suite.stack.baseUrl}/healthz/round-trip`;
    // it starts a workflow and writes a row: not for anyone without a key
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const { key } = await teamClient(suite.stack);
    const earlier = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(earlier.status).toBe(200);
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
    const body = (await res.json()) as { status: string; run_id: string; written_at: string };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    const row = await suite.stack.pool.query('SELECT written_at FROM health_probes WHERE run_id = $1', [body.run_id]);
    expect(row.rowCount).toBe(1);
    // each round trip leaves only its own row behind
    const left = await suite.stack.pool.query<{ run_id: string }>('SELECT run_id FROM health_probes');
    expect(left.rows.map((r) => r.run_id)).toEqual([body.run_id]);
    expect(new Date(body.written_at).getTime()).toBe((row.rows[0].written_at as Date).getTime());
    const history = await suite.stack.client.workflow.getHandle('health-probe', body.run_id).fetchHistory();
    const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled?.[0]?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('recordHealthProbe');
  });

  it('gives unknown routes, oversized bodies and malformed JSON the one error envelope', async () => {
    const missing = await fetch(`${suite.stack.baseUrl}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: {
        status: 404,
        code: 'not_found',
        message: 'No route for GET /nope',
        request_id: missing.headers.get('x-request-id'),
      },
    });

    const big = await fetch(`${suite.stack.baseUrl}/nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const bad = await fetch(`${suite.stack.baseUrl}/nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { code: string; message: string } };
    expect(badBody.error.code).toBe('invalid_request');
    expect(JSON.stringify(badBody)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it('sends security headers on every response', async () => {
    const res = await fetch(`${suite.stack.baseUrl}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('health when a dependency is down', () => {
  it('answers 503 naming postgres when the database is unreachable', async () => {
    const deadPort = await freePort();
    const pool = createPool(`postgres://postgres@127.0.0.1:${deadPort}/nothing`, 1);
    const connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
    const { url, server } = await listen(
      createApp({ pool, temporal: new Client({ connection }), taskQueue: 'unused', log: () => undefined }),
    );
    try {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string; details: Record<string, string> } };
      expect(body.error.code).toBe('service_unavailable');
      expect(body.error.message).toMatch(/^postgres is unreachable/);
      expect(body.error.details).toEqual({ postgres: 'unreachable', temporal: 'ok' });
      // no host, port or driver text for a caller without a key
      expect(JSON.stringify(body)).not.toContain(String(deadPort));
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      server.close();
      await connection.close();
      await pool.end();
    }
  });

  it('answers 503 naming temporal when the Temporal server is unreachable', async () => {
    const deadPort = await freePort();
    const pool = createPool(testDatabaseUrl(), 1);
    // no retry interceptor, as api/main.ts builds its health connection
    const connection = Connection.lazy({ address: `127.0.0.1:${deadPort}`, connectTimeout: 500, interceptors: [] });
    const { url, server } = await listen(
      createApp({ pool, temporal: new Client({ connection }), taskQueue: 'unused', log: () => undefined }),
    );
    try {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { message: string; details: Record<string, string> } };
      expect(body.error.message).toBe('temporal is unreachable');
      expect(body.error.details).toEqual({ postgres: 'ok', temporal: 'unreachable' });
      expect(JSON.stringify(body)).not.toContain(String(deadPort));
    } finally {
      server.close();
      await connection.close();
      await pool.end();
    }
  });
});
