/**
 * Creator tracking benchmark on the embedded stack (private Postgres, Temporal dev server, one worker, the API):
 * POSTs N creators and reports first-cycle latency (POST → `finalized: true`) p50/p99, cycles per second, history
 * events and activity tasks per cycle, and the same server's bare no-op workflow throughput for comparison.
 *
 *   npm run bench -- [--creators 200] [--concurrency 20] [--no-record]
 *
 * Figures are appended to BENCHMARKS.md with the date and machine unless --no-record is given.
 */
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { addCredits, createApiKey, createTeam } from '../db/teams';
import { freePort, startPrivateCluster } from '../scripts/postgres';
import { startTemporalDevServer } from '../scripts/temporal-dev';
import { ensureTemporalBinaries, projectRoot } from '../scripts/temporal-tools';
import { createWorker } from '../worker/worker';
import { heuristicCreatorReportGenerator } from '../domain/creator-report';
import { SimulatedProvider } from '../providers/simulated';

const { values: args } = parseArgs({
  options: {
    creators: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    'no-record': { type: 'boolean', default: false },
  },
});
const N = Number(args.creators);
const CONCURRENCY = Number(args.concurrency);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-bench-'));
  chmodSync(scratch, 0o755);
  const bins = ensureTemporalBinaries();
  const cluster = await startPrivateCluster({ dataDir: path.join(scratch, 'pg'), database: 'bench', ephemeral: true });
  const temporal = await startTemporalDevServer({
    cli: bins.cli,
    port: await freePort(),
    namespace: 'default',
    logFile: path.join(scratch, 'temporal.log'),
  });
  const db = createPool(cluster.url, 20);
  try {
    await migrate(cluster.url);
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    const taskQueue = 'bench';
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: { pool: db, provider: new SimulatedProvider(), reportGenerator: heuristicCreatorReportGenerator },
    });
    const running = worker.run();
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });

    // the same server's bare throughput: no-op workflows (one activity each) started and awaited at the same width
    const noopStart = Date.now();
    await pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await client.workflow.execute('healthProbeWorkflow', { taskQueue, workflowId: `bench-noop-${i}` });
      },
    );
    const noopPerSecond = N / ((Date.now() - noopStart) / 1000);

    const app = createApp({
      pool: db,
      temporal: client,
      taskQueue,
      rateLimitPerMinute: 1e9,
      ipRateLimitPerMinute: 1e9,
      log: console.error,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const team = await createTeam(db, 'bench');
    await addCredits(db, team.id, N * 25 + 1000, `bench:${team.id}`);
    const { key } = await createApiKey(db, team.id);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const latencies: number[] = [];
    const ids: string[] = [];
    const started = Date.now();
    await pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const t0 = performance.now();
        const res = await fetch(`${base}/v1/tracking/creators`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ platform: 'tiktok', handle: `bench.creator.${i}` }),
        });
        if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        const id = ((await res.json()) as { data: { id: string } }).data.id;
        ids.push(id);
        for (;;) {
          const got = await fetch(`${base}/v1/tracking/creators/${id}`, { headers });
          if (got.status !== 200) throw new Error(`GET answered ${got.status}: ${await got.text()}`);
          const body = (await got.json()) as { data: { finalized: boolean } };
          if (body.data.finalized) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        latencies.push(performance.now() - t0);
      },
    );
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    let events = 0;
    let activities = 0;
    const sample = ids.slice(0, 20);
    for (const id of sample) {
      const history = await client.workflow.getHandle(`creator:${id}`).fetchHistory();
      events += history.events?.length ?? 0;
      activities += history.events?.filter((e) => e.activityTaskScheduledEventAttributes).length ?? 0;
    }
    const cyclesPerSecond = N / elapsed;
    const figures = {
      creators: N,
      concurrency: CONCURRENCY,
      first_cycle_p50_ms: Math.round(percentile(latencies, 50)),
      first_cycle_p99_ms: Math.round(percentile(latencies, 99)),
      cycles_per_second: Number(cyclesPerSecond.toFixed(1)),
      noop_workflows_per_second: Number(noopPerSecond.toFixed(1)),
      ratio_to_noop: Number((cyclesPerSecond / noopPerSecond).toFixed(2)),
      history_events_per_first_cycle: Number((events / sample.length).toFixed(1)),
      activity_tasks_per_first_cycle: Number((activities / sample.length).toFixed(1)),
    };
    console.log(JSON.stringify(figures, null, 2));
    if (!args['no-record']) {
      const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
      appendFileSync(
        path.join(projectRoot, 'BENCHMARKS.md'),
        `\n## ${new Date().toISOString().slice(0, 10)} · bench/creators.ts · ${machine}\n\n` +
          '| figure | value |\n| --- | --- |\n' +
          Object.entries(figures)
            .map(([k, v]) => `| ${k} | ${v} |`)
            .join('\n') +
          '\n',
      );
    }

    await new Promise((r) => server.close(r));
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  } finally {
    await db.end();
    await temporal.stop();
    cluster.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
