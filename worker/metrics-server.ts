import http from 'node:http';
import { register, type Registry } from 'prom-client';

/**
 * Serves the process's Prometheus registry at `/metrics`, followed by `more()` (the Temporal SDK's own exporter, read
 * from its private port), so one scrape gets both; resolves once listening.
 */
export async function startMetricsServer(
  port: number,
  registry: Registry = register,
  more?: () => Promise<string>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    Promise.all([registry.metrics(), more?.().catch(() => '') ?? ''])
      .then(([own, sdk]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${own}\n${sdk}`))
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

/** Reads the SDK's Prometheus exporter (bound to a loopback port only this process knows). */
export const sdkMetricsReader =
  (address: string): (() => Promise<string>) =>
  async () => {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? res.text() : '';
  };
