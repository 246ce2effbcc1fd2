import { Client, Connection } from '@temporalio/client';
import { ConfigError, parseConfig } from '../domain/config';
import { sourcePlan } from '../domain/sources';
import { createPool } from '../db/pool';
import { temporalConnectionOptions } from '../connection/temporal';
import { loggerFromEnv } from '../telemetry/logger';
import { requestIdClientInterceptor } from '../telemetry/request-id';
import { createApp } from './app';
import { apiTemporalConnection } from './outages';
import { readCacheOn, readCacheOptions } from './read-cache';

const logger = loggerFromEnv('api');

function main(): void {
  const config = parseConfig(process.env);
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const connection = apiTemporalConnection(temporalConnectionOptions(config));
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: [requestIdClientInterceptor()] },
  });
  // until its connection listens, the cache passes every read through; a Postgres restart turns it off and on again
  const reads =
    config.READ_CACHE_MB > 0
      ? readCacheOn(pool, readCacheOptions(config), (message, err) => logger.warn({ err }, message))
      : undefined;
  const temporalHealthConnection = Connection.lazy({ ...temporalConnectionOptions(config), interceptors: [] });
  const app = createApp({
    pool,
    temporal,
    temporalHealthConnection,
    sources: sourcePlan(config),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    ipRateLimitPerMinute: config.IP_RATE_LIMIT_PER_MINUTE,
    webhooks: { allowInsecureLoopback: config.WEBHOOK_ALLOW_INSECURE_LOOPBACK },
    instanceId: config.INSTANCE_ID,
    readCache: reads?.cache,
    logger,
  });
  const server = app.listen(config.PORT, (err?: Error) => {
    // a port someone else holds is fatal and said so: exiting 0 here once let another program pass for this API
    if (err) {
      const code = (err as NodeJS.ErrnoException).code;
      logger.fatal(
        { err },
        code === 'EADDRINUSE'
          ? `port ${config.PORT} is already in use: stop the program holding it or set PORT to a free port`
          : `cannot listen on port ${config.PORT}: ${err.message}`,
      );
      process.exit(1);
    }
    logger.info({ port: config.PORT }, `API listening on http://localhost:${config.PORT}`);
  });

  const shutdown = (): void => {
    server.close(() => {
      void Promise.allSettled([reads?.close(), pool.end(), connection.close(), temporalHealthConnection.close()]).then(
        () => process.exit(0),
      );
    });
    // keep-alive sockets must not hold the process open
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

try {
  main();
} catch (err) {
  if (err instanceof ConfigError) logger.fatal(err.message);
  else logger.fatal({ err }, 'API failed to start');
  process.exit(1);
}
