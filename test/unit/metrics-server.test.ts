import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Upstream } from '../../providers/upstream';
import { startMetricsServer } from '../../worker/metrics-server';

describe("the worker's metrics endpoint", () => {
  it('serves upstream calls and units in the Prometheus text format, and nothing else', async () => {
    const registry = new Registry();
    const upstream = new Upstream('youtube', { concurrency: 1, perMinute: 6000, timeoutMs: 1000 }, registry);
    await upstream.call('channels.list', 1, async () => 'ok');
    const server = await startMetricsServer(0, registry);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('upstream_calls_total{source="youtube",operation="channels.list",outcome="ok"} 1');
      expect(text).toContain('upstream_units_total{source="youtube",operation="channels.list"} 1');
      expect((await fetch(`${base}/`)).status).toBe(404);
    } finally {
      server.close();
      await upstream.stop();
    }
  });
});
