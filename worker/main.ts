import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { activityCancellation } from '../activities/cancellation';
import { ConfigError, parseConfig } from '../domain/config';
import { createPool } from '../db/pool';
import { describeSources } from '../domain/sources';
import { createSources } from '../providers/sources';
import { temporalConnectionOptions } from '../connection/temporal';
import { OutboxRelay } from './outbox-relay';
import { startMetricsServer } from './metrics-server';
import { TrackingReconciler } from './tracking-reconciler';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const level = ({ debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const)[config.LOG_LEVEL];
  Runtime.install({ logger: new DefaultLogger(level) });
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const sources = createSources(config, { ambientSignal: activityCancellation });
  const metrics = config.WORKER_METRICS_PORT ? await startMetricsServer(config.WORKER_METRICS_PORT) : undefined;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  try {
    const worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      deps: {
        pool,
        provider: sources.provider,
        reportGenerator: sources.creatorReports,
        videoReportGenerator: sources.videoReports,
        soundTrendGenerator: sources.soundTrends,
        webhooks: { allowInsecureLoopback: config.WEBHOOK_ALLOW_INSECURE_LOOPBACK },
      },
    });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    // every worker relays outbox events to webhook deliveries; SKIP LOCKED shares the work between them
    const relay = new OutboxRelay({ pool, client, taskQueue: config.TEMPORAL_TASK_QUEUE });
    await relay.start();
    // and stops tracked entities whose workflow closed without stopping them (row locks share that work)
    const reconciler = new TrackingReconciler({
      pool,
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalMs: config.TRACKING_RECONCILE_INTERVAL_MS,
    });
    reconciler.start();
    console.log(`worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`);
    console.log(`data sources: ${describeSources(sources.plan)}`);
    // SIGINT/SIGTERM make run() drain in-flight tasks and resolve (the SDK's default shutdown signals)
    await worker
      .run()
      .finally(() => Promise.all([relay.stop(), reconciler.stop(), ...sources.upstreams.map((u) => u.stop())]));
  } finally {
    await connection.close();
    await pool.end();
    metrics?.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
