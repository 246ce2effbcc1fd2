/**
 * What the benchmarks share: the embedded stack in one process tree (a private Postgres, a Temporal dev server with
 * its SQLite in memory, one worker with the outbox relay, the API), a team with credits and a key, percentiles, a
 * bounded-width work pool, and recording figures in BENCHMARKS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createApp } from '../api/app';
import { readCacheOn, readCacheOptions, type ReadCache } from '../api/read-cache';
import { parseSourceConfig } from '../domain/config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createApiKey, createTeam } from '../db/teams';
import { addCredits } from '../db/ledger';
import { heuristicCreatorReportGenerator } from '../domain/creator-report';
import { SimulatedProvider } from '../providers/simulated';
import { freePort, startPrivateCluster } from '../scripts/postgres';
import { startTemporalDevServer } from '../scripts/temporal-dev';
import { ensureTemporalBinaries, projectRoot } from '../scripts/temporal-tools';
import { OutboxRelay } from '../worker/outbox-relay';
import { createWorker, workflowInterceptorModules, workflowsPath, type WorkerTuning } from '../worker/worker';

export interface EmbeddedStack {
  base: string;
  headers: Record<string, string>;
  client: Client;
  db: Pool;
  taskQueue: string;
  /** the Temporal dev server's process (the API runs in this process) */
  temporalPid: number | undefined;
  /** the worker's process when it runs in its own (`workerProcess`), else undefined: it runs in this one */
  workerPid: number | undefined;
  /** the API's read cache */
  readCache: ReadCache;
}

export interface EmbeddedOptions {
  /** run the worker as its own process (scripts/simulated-worker.ts), so its memory is measured apart from the API's */
  workerProcess?: boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** Runs `work` over `items`, at most `width` at a time. */
export async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Polls `url` until `done` says so; returns the last body. */
export async function pollUntil<T>(
  stack: EmbeddedStack,
  url: string,
  done: (body: T) => boolean,
  everyMs = 20,
): Promise<T> {
  for (;;) {
    const res = await fetch(`${stack.base}${url}`, { headers: stack.headers });
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as T;
    if (done(body)) return body;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function post<T>(stack: EmbeddedStack, url: string, body: unknown, expected = 202): Promise<T> {
  const res = await fetch(`${stack.base}${url}`, {
    method: 'POST',
    headers: stack.headers,
    body: JSON.stringify(body),
  });
  if (res.status !== expected) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The worker as its own process on a bundle built here; resolves once it polls. */
async function spawnWorker(scratch: string, env: Record<string, string>): Promise<ChildProcess> {
  const bundle = path.join(scratch, 'workflow-bundle.js');
  writeFileSync(
    bundle,
    (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('WARN') })).code,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/simulated-worker.ts')], {
    env: { ...process.env, ...env, WORKFLOW_BUNDLE: bundle },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code}`)));
  });
  return child;
}

/** Starts the stack, runs `work` against it with a team holding `credits`, and tears everything down. */
export async function withEmbeddedStack<R>(
  credits: number,
  work: (stack: EmbeddedStack) => Promise<R>,
  options: EmbeddedOptions = {},
): Promise<R> {
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
    const cacheSize = process.env.BENCH_MAX_CACHED_WORKFLOWS;
    const child = options.workerProcess
      ? await spawnWorker(scratch, {
          DATABASE_URL: cluster.url,
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          ...(cacheSize ? { WORKER_MAX_CACHED_WORKFLOWS: cacheSize } : {}),
        })
      : undefined;
    const worker = child
      ? undefined
      : await createWorker({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue,
          // BENCH_MAX_CACHED_WORKFLOWS=N compares sticky-cache sizes; the SDK's default otherwise
          ...(process.env.BENCH_MAX_CACHED_WORKFLOWS
            ? { maxCachedWorkflows: Number(process.env.BENCH_MAX_CACHED_WORKFLOWS) }
            : {}),
          // BENCH_WORKER_TUNING='{"workflowThreadPoolSize":2}' tries other slots, pollers or threads
          ...(process.env.BENCH_WORKER_TUNING
            ? { tuning: JSON.parse(process.env.BENCH_WORKER_TUNING) as WorkerTuning }
            : {}),
          deps: {
            pool: db,
            provider: new SimulatedProvider(),
            reportGenerator: heuristicCreatorReportGenerator,
            // receivers are local servers of the benchmark itself
            webhooks: { allowInsecureLoopback: true },
          },
        });
    const running = worker?.run();
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const relay = new OutboxRelay({ pool: db, client, taskQueue });
    await relay.start();
    // as the API runs with no settings
    const reads = readCacheOn(db, readCacheOptions(parseSourceConfig({})));
    await reads.ready;
    const app = createApp({
      pool: db,
      temporal: client,
      taskQueue,
      readCache: reads.cache,
      rateLimitPerMinute: 1e9,
      ipRateLimitPerMinute: 1e9,
      log: console.error,
      webhooks: { allowInsecureLoopback: true },
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const team = await createTeam(db, 'bench');
    await addCredits(db, team.id, credits, `bench:${team.id}`);
    const { key } = await createApiKey(db, team.id);
    try {
      return await work({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        client,
        db,
        taskQueue,
        temporalPid: temporal.process.pid,
        workerPid: child?.pid,
        readCache: reads.cache,
      });
    } finally {
      await new Promise((r) => server.close(r));
      await reads.close();
      await relay.stop();
      if (child) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      worker?.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    }
  } finally {
    await db.end();
    await temporal.stop();
    cluster.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Prints the figures and, unless told not to, appends them to BENCHMARKS.md with the date and the machine. */
export function report(script: string, figures: Record<string, number | string>, record: boolean): void {
  console.log(JSON.stringify(figures, null, 2));
  if (!record) return;
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  appendFileSync(
    path.join(projectRoot, 'BENCHMARKS.md'),
    `\n## ${new Date().toISOString().slice(0, 10)} · ${script} · ${machine}\n\n` +
      '| figure | value |\n| --- | --- |\n' +
      Object.entries(figures)
        .map(([k, v]) => `| ${k} | ${v} |`)
        .join('\n') +
      '\n',
  );
}
