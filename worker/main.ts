import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime } from '@temporalio/worker';
import { activityCancellation } from '../activities/cancellation';
import { ConfigError, parseConfig } from '../domain/config';
import { createPool } from '../db/pool';
import { describeSources } from '../domain/sources';
import { createSources } from '../providers/sources';
import { temporalConnectionOptions } from '../connection/temporal';
import { freePort } from '../scripts/postgres';
import { loggerFromEnv, temporalLogger } from '../telemetry/logger';
import { OutboxRelay } from './outbox-relay';
import { sdkMetricsReader, startMetricsServer } from './metrics-server';
import { TrackingReconciler } from './tracking-reconciler';
import { createWorker, workflowInterceptorModules, workflowsPath } from './worker';

const logger = loggerFromEnv('worker');

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  // the SDK's own exporter listens on a loopback port of its own; /metrics on WORKER_METRICS_PORT serves it with ours
  const sdkMetrics = config.WORKER_METRICS_PORT ? `127.0.0.1:${await freePort()}` : undefined;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(sdkMetrics ? { metrics: { prometheus: { bindAddress: sdkMetrics } } } : {}),
    },
  });
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const sources = createSources(config, { ambientSignal: activityCancellation });
  const metrics = config.WORKER_METRICS_PORT
    ? await startMetricsServer(
        config.WORKER_METRICS_PORT,
        undefined,
        sdkMetrics ? sdkMetricsReader(sdkMetrics) : undefined,
      )
    : undefined;
  // bundled here rather than by Worker.create so webpack's summary is a debug line, not 25 lines of every start
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: temporalLogger(logger.child({ sdkComponent: 'bundler' }), { demoteInfo: true }),
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  try {
    const worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      workflowBundle,
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
    const relayLog = logger.child({ component: 'outbox-relay' });
    const relay = new OutboxRelay({
      pool,
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      log: (message, err) => relayLog.error({ err }, message),
    });
    await relay.start();
    const reconcilerLog = logger.child({ component: 'tracking-reconciler' });
    // and stops tracked entities whose workflow closed without stopping them (row locks share that work)
    const reconciler = new TrackingReconciler({
      pool,
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalMs: config.TRACKING_RECONCILE_INTERVAL_MS,
      log: (message, err) => reconcilerLog.error({ err }, message),
    });
    reconciler.start();
    logger.info(
      { taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS },
      `worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`,
    );
    logger.info(`data sources: ${describeSources(sources.plan)}`);
    if (config.WORKER_METRICS_PORT) logger.info(`metrics on http://localhost:${config.WORKER_METRICS_PORT}/metrics`);
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
  if (err instanceof ConfigError) logger.fatal(err.message);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    logger.fatal({ err }, 'the metrics port is already in use: set WORKER_METRICS_PORT to a free port');
  } else logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
