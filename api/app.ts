import express, { Router, type Express } from 'express';
import type { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import type { SourcePlan } from '../domain/sources';
import { accountRoutes } from './account';
import { authenticate, perIpRateLimit, perKeyRateLimit } from './auth';
import { creatorJobRoutes } from './creator-jobs';
import { creatorRoutes } from './creators';
import { cycleRoutes } from './cycles';
import { satelliteRoutes } from './satellite';
import { videoRoutes } from './videos';
import { webhookRoutes, type WebhookApiOptions } from './webhooks';
import { webhookLoopbackSetting } from '../domain/config';
import { dashboardRouter } from './dashboard';
import { docsRouter } from './docs';
import { errorHandler, unknownRoute } from './errors';
import { healthRoutes } from './health';
import { noStore, refuseNul, requestId, requireJsonBody, securityHeaders } from './middleware';
import { accessLog, apiMetrics, observeReadCache, type ApiMetrics } from './observability';
import type { ReadCache } from './read-cache';
import { openApiDocument } from './openapi';
import type { Logger } from '../telemetry/logger';
import { routerOf, type Route } from './route';

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  temporalHealthConnection?: Connection;
  /** the data sources the configuration names, shown by /healthz */
  sources?: SourcePlan;
  /** names this process in /healthz; a fresh UUID otherwise */
  instanceId?: string;
  rateLimitPerMinute?: number;
  ipRateLimitPerMinute?: number;
  log?: (err: unknown) => void;
  /** the access log and error lines go here; without it requests are not logged */
  logger?: Logger;
  /** the registry `/metrics` serves; one of its own otherwise */
  metrics?: ApiMetrics;
  /** hot reads kept in memory until their team's rows change (api/read-cache.ts); without it every read asks Postgres */
  readCache?: ReadCache;
  /** checks every answer against its declared schema (a mismatch is a 500); on under jest */
  validateResponses?: boolean;
  /** webhook URL checks; without it the development setting is read from WEBHOOK_ALLOW_INSECURE_LOOPBACK */
  webhooks?: WebhookApiOptions;
}

/**
 * Every route the API serves, as declared once: `health` answers before the API-key middleware, `routes` after it.
 * The app mounts these and the OpenAPI document is built from them; tests walk the same list.
 */
export function apiRoutes(deps: AppDeps): { health: Route[]; routes: Route[] } {
  return {
    health: healthRoutes(deps),
    routes: [
      ...accountRoutes(deps.pool, deps.rateLimitPerMinute ?? 300),
      ...creatorRoutes(deps),
      ...creatorJobRoutes(deps),
      ...videoRoutes(deps),
      ...cycleRoutes(deps),
      ...satelliteRoutes(deps),
      ...webhookRoutes({
        ...deps,
        webhooks: deps.webhooks ?? { allowInsecureLoopback: webhookLoopbackSetting(process.env) },
      }),
    ],
  };
}

/** Builds the Express app without listening, so tests can drive it on a random port. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // answers are `no-store` (nothing keeps them to revalidate), so an ETag would be a hash of every body for nothing;
  // the docs' static files keep theirs (serve-static sets its own)
  app.set('etag', false);
  app.use(requestId);
  if (deps.logger) app.use(accessLog(deps.logger));
  const metrics = deps.metrics ?? apiMetrics();
  if (deps.readCache) observeReadCache(metrics.registry, deps.readCache);
  app.use(metrics.middleware);
  // no key: a scraper rarely has one, and the series carry no team, key, handle or id (routes are templates).
  // Where the API port is public, block /metrics at the proxy and scrape the port from inside (README, Metrics).
  app.get('/metrics', metrics.handler);
  app.use(securityHeaders);
  app.use(requireJsonBody);
  app.use(express.json({ limit: '64kb' }));
  app.use(refuseNul);
  const perKey = deps.rateLimitPerMinute ?? 300;
  // no-store, the per-IP limit, the key and the per-key limit, as one layer where mounted (a /v1 request matches one
  // path prefix, not four)
  const authenticated = Router().use(
    noStore,
    perIpRateLimit(deps.ipRateLimitPerMinute ?? 1200),
    authenticate(deps.pool),
    perKeyRateLimit(perKey),
  );
  // /healthz answers without a key, before the /v1 middleware; the round trip starts a workflow, so it needs one
  app.use('/healthz/round-trip', authenticated);
  const { health, routes } = apiRoutes(deps);
  const checked = { validateResponses: deps.validateResponses ?? process.env.NODE_ENV === 'test' };
  // the API first: a /v1 request walks no layer of the health routes, the document, the docs or the dashboard
  app.use('/v1', authenticated);
  app.use(routerOf(routes, { ...checked, cache: deps.readCache }));
  app.use(routerOf(health, checked));
  const openApi = openApiDocument([...health, ...routes]);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(docsRouter());
  app.use(dashboardRouter());
  app.use(unknownRoute);
  const logger = deps.logger;
  app.use(errorHandler(deps.log ?? (logger ? (err) => logger.error({ err }, 'request failed') : console.error)));
  return app;
}
