/**
 * What the API tells its operator: one access-log line per request (pino-http) and Prometheus metrics at `/metrics`.
 * Both name a request by its declared route (`/v1/creators/:id`), never its raw URL: ids in labels would make one
 * time series per creator, and a URL can carry a query string a client should not see logged.
 */
import type { Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger';
import { rateLimitedBy } from './auth';
import { requestIdOf } from './middleware';
import type { ReadCache } from './read-cache';

/** The declared route a request matched, or `unmatched` (404s, static files of /docs). */
export function routeOf(req: Request): string {
  const declared = (req.route as { path?: unknown } | undefined)?.path;
  return typeof declared === 'string' ? `${req.baseUrl}${declared}` : req.baseUrl || 'unmatched';
}

export function accessLog(logger: Logger): RequestHandler {
  return pinoHttp<Request, Response>({
    logger,
    genReqId: (_req, res) => requestIdOf(res as Response) ?? '',
    customAttributeKeys: { responseTime: 'durationMs' },
    // method and route only: headers (keys), bodies and query strings stay out of the log
    serializers: {
      req: (req: { method: string }) => ({ method: req.method }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customProps: (req, res) => ({ requestId: requestIdOf(res), route: routeOf(req), status: res.statusCode }),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req)} ${res.statusCode}`,
    // scrapers' and probes' calls would drown everything else (they are still timed in the metrics)
    autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/healthz' },
  });
}

export interface ApiMetrics {
  registry: Registry;
  /** times every request by method, route and status */
  middleware: RequestHandler;
  /** serves the registry in the Prometheus text format */
  handler: RequestHandler;
}

/** A registry of the API's own: request durations, rate-limit refusals and the Node process's default metrics. */
export function apiMetrics(registry: Registry = new Registry()): ApiMetrics {
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request duration by method, declared route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'http_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit: per API key (key) or per client address (ip)',
    labelNames: ['limit'],
    registers: [registry],
  });
  return {
    registry,
    middleware: (req, res, next) => {
      const end = duration.startTimer();
      res.once('finish', () => {
        const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
        end(labels);
        const limit = rateLimitedBy(res);
        if (limit) refused.inc({ limit });
      });
      next();
    },
    handler: (_req, res, next) => {
      registry
        .metrics()
        .then((body) => res.set('Content-Type', registry.contentType).send(body))
        .catch(next);
    },
  };
}

/** The read cache's hits and misses as counters (read from its own tallies when scraped). */
export function observeReadCache(registry: Registry, cache: ReadCache): void {
  let counted = { hits: 0, misses: 0 };
  const tally = (name: 'hits' | 'misses', help: string) =>
    new Counter({
      name: `api_read_cache_${name}_total`,
      help,
      registers: [registry],
      collect() {
        this.inc(cache.stats[name] - counted[name]);
        counted = { ...counted, [name]: cache.stats[name] };
      },
    });
  tally('hits', 'Cached reads answered from memory');
  tally('misses', 'Cached reads that asked Postgres (first read, or the team changed since)');
}
