import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { temporalLogger } from '../../telemetry/logger';
import { startMetricsServer } from '../../worker/metrics-server';
import { apiClient, eventually } from '../helpers/http';
import { capturedLogger } from '../helpers/log-capture';
import { appOnStack, stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';
import { routeSdkLogs } from '../setup-runtime';

/** The value of one series in a Prometheus text answer (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && want.every((pair) => l.slice(0, l.indexOf('}')).includes(pair)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

// the SDK's logger is the process's (worker/main.ts installs it); the suite reads what the runtime forwards
const captured = capturedLogger({ level: 'debug' });
beforeAll(() => routeSdkLogs(temporalLogger(captured.logger)));
afterAll(() => routeSdkLogs(undefined));
const suite = stackForSuite({
  logger: captured.logger,
  webhooks: { allowInsecureLoopback: true, relayTeams: () => [] },
});

describe('logs and metrics of a tracked creator', () => {
  let workerMetrics: Server;
  let workerMetricsUrl: string;
  beforeAll(async () => {
    workerMetrics = await startMetricsServer(0, register);
    workerMetricsUrl = `http://127.0.0.1:${(workerMetrics.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => workerMetrics.close());

  it('follows one request id from the POST through the workflow and its activities, moves the counters, and logs no secret', async () => {
    const { stack } = suite;
    const { api, key } = await teamClient(stack, 10_000);
    const scrape = async () => ({
      api: await (await fetch(`${stack.baseUrl}/metrics`)).text(),
      worker: await (await fetch(workerMetricsUrl)).text(),
    });
    const before = await scrape();

    const webhook = await api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/in', enabled_events: ['*'] });
    expect(webhook.status).toBe(201);
    const webhookSecret = webhook.body.data.secret as string;
    expect(webhookSecret).toMatch(/^whsec_/);

    const requestId = `observe-${Date.now()}`;
    const created = await fetch(`${stack.baseUrl}/v1/tracking/creators`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ platform: 'tiktok', handle: `observed_${Date.now()}` }),
    });
    expect(created.status).toBe(202);
    const id = ((await created.json()) as { data: { id: string } }).data.id;
    await eventually('the first cycle', async () => {
      const res = await apiClient(stack.baseUrl, key).get(`/v1/tracking/creators/${id}`);
      return res.body.data.finalized ? true : undefined;
    });

    // the access log: method, declared route, status, duration and request id; no URL with the id in it
    const lines = captured.lines();
    const access = lines.find((l) => l.requestId === requestId && l.req?.method === 'POST');
    expect(access).toMatchObject({ route: '/v1/tracking/creators', status: 202, res: { status: 202 } });
    expect(typeof access?.durationMs).toBe('number');
    const read = lines.find((l) => l.req?.method === 'GET' && l.route === '/v1/tracking/creators/:id');
    expect(read?.msg).toBe('GET /v1/tracking/creators/:id 200');

    // the workflow's and its activities' lines carry the same id, with workflow id, run id and activity type
    const workflowLines = lines.filter((l) => l.requestId === requestId && l.workflowId === `creator:${id}`);
    expect(workflowLines.find((l) => l.sdkComponent === 'workflow')).toMatchObject({
      msg: 'cycle 1 completed',
      workflowType: 'creatorTrackingWorkflow',
      runId: expect.any(String),
    });
    const activityTypes = new Set(workflowLines.map((l) => l.activityType).filter(Boolean));
    expect([...activityTypes]).toEqual(expect.arrayContaining(['collectCreatorMetrics', 'detectOutliersAndComplete']));

    // the counters moved: API requests by route and status, the cycle by platform and outcome, credits by kind
    const after = await scrape();
    const posted = { method: 'POST', route: '/v1/tracking/creators', status: '202' };
    expect(sample(after.api, 'http_request_duration_seconds_count', posted)).toBe(
      sample(before.api, 'http_request_duration_seconds_count', posted) + 1,
    );
    const cycle = { resource: 'creator', platform: 'tiktok', outcome: 'completed' };
    expect(sample(after.worker, 'tracking_cycles_total', cycle)).toBeGreaterThan(
      sample(before.worker, 'tracking_cycles_total', cycle),
    );
    for (const kind of ['reserved', 'captured']) {
      const labels = { kind, operation: 'tracking_cycle' };
      expect(sample(after.worker, 'credits_total', labels)).toBeGreaterThan(
        sample(before.worker, 'credits_total', labels),
      );
    }

    // nothing secret in any line of the whole run
    const text = captured.text();
    expect(text).not.toContain(key);
    expect(text).not.toContain(webhookSecret);
  });

  it('counts rate-limit refusals by the limit that refused', async () => {
    const { stack } = suite;
    const { server, baseUrl: base } = await appOnStack(stack, { rateLimitPerMinute: 1 });
    try {
      const { key } = await teamClient(stack, 0);
      const api = apiClient(base, key);
      expect((await api.get('/v1/account')).status).toBe(200);
      expect((await api.get('/v1/account')).status).toBe(429);
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(sample(text, 'http_rate_limited_total', { limit: 'key' })).toBe(1);
      expect(sample(text, 'http_rate_limited_total', { limit: 'ip' })).toBe(0);
    } finally {
      server.close();
    }
  });
});
