import { Client, Connection } from '@temporalio/client';
import { ConfigError, parseConfig } from '../domain/config';
import { sourcePlan } from '../domain/sources';
import { createPool } from '../db/pool';
import { temporalConnectionOptions } from '../connection/temporal';
import { createApp } from './app';
import { apiTemporalConnection } from './outages';

function main(): void {
  const config = parseConfig(process.env);
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const connection = apiTemporalConnection(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
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
  });
  const server = app.listen(config.PORT, () => console.log(`API listening on http://localhost:${config.PORT}`));

  const shutdown = (): void => {
    server.close(() => {
      void Promise.allSettled([pool.end(), connection.close(), temporalHealthConnection.close()]).then(() =>
        process.exit(0),
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
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
