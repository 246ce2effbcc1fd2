/**
 * Creator tracking benchmark on the embedded stack (private Postgres, Temporal dev server, one worker, the API):
 * POSTs N creators and reports first-cycle latency (POST → `finalized: true`) p50/p99, cycles per second, history
 * events and activity tasks per cycle, and the same server's bare no-op workflow throughput for comparison.
 *
 *   npm run bench -- [--creators 200] [--concurrency 20] [--no-record]
 *
 * Other modes (`--mode`, default `latency`, the above):
 *   - `burst`: N creators POSTed `--concurrency` (default 100) at a time, then the time from the first POST until every
 *     first cycle is `finalized: true`, first-cycle p50/p99 and cycles per second. Completion is observed by one
 *     poller reading the read model every 250 ms (the same `finalized` rule as the API), so it adds no per-creator load.
 *   - `sleeping`: N creators tracked `monthly` (the slowest cadence) at `--concurrency` (default 20); once every first
 *     cycle is done and all sleep, the RSS of this process (worker, API and load generator share it) and of the
 *     Temporal dev server, then `GET /v1/tracking/creators?limit=50` p50/p99 at 20 connections for 10 s.
 *
 * Figures are appended to BENCHMARKS.md with the date and machine unless --no-record is given.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { trackingJobs } from '../api/schemas/tracking';
import type { LifecycleColumns } from '../db/tracked';
import { cycleShapes } from '../scripts/history-shape';
import { inParallel, percentile, report, withEmbeddedStack, type EmbeddedStack } from './embedded';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'latency' },
    creators: { type: 'string', default: '200' },
    concurrency: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
});
const MODE = args.mode;
if (MODE !== 'latency' && MODE !== 'burst' && MODE !== 'sleeping') throw new Error(`unknown --mode ${MODE}`);
const N = Number(args.creators);
const CONCURRENCY = Number(args.concurrency ?? (MODE === 'burst' ? 100 : 20));

/** VmRSS of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

async function postCreator(stack: EmbeddedStack, i: number, cadence?: string): Promise<string> {
  const res = await fetch(`${stack.base}/v1/tracking/creators`, {
    method: 'POST',
    headers: stack.headers,
    body: JSON.stringify({
      platform: 'tiktok',
      handle: `bench.creator.${i}`,
      ...(cadence ? { scrape_cadence: cadence } : {}),
    }),
  });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: { id: string } }).data.id;
}

/**
 * One poller for the creators being waited for: every `everyMs` it reads the lifecycle columns of those ids and
 * resolves each wait with the time it was first seen finalized (the API's own rule). A per-creator GET loop would put
 * hundreds of requests a second on the process being measured; this is one small query.
 */
class FinalizedWatcher {
  private readonly waiting = new Map<string, (at: number) => void>();
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly stack: EmbeddedStack,
    private readonly everyMs = 25,
  ) {}

  wait(id: string): Promise<number> {
    const seen = new Promise<number>((resolve) => this.waiting.set(id, resolve));
    this.timer ??= setTimeout(() => void this.poll(), this.everyMs);
    return seen;
  }

  private async poll(): Promise<void> {
    const { rows } = await this.stack.db.query<LifecycleColumns>(
      `SELECT id, status, enrichment_status, cycle_in_progress, cycle_started_at FROM tracked_creators
        WHERE id = ANY($1::uuid[])`,
      [[...this.waiting.keys()]],
    );
    const now = performance.now();
    for (const row of rows) {
      if (!trackingJobs(row, '').finalized) continue;
      this.waiting.get(row.id)?.(now);
      this.waiting.delete(row.id);
    }
    this.timer = this.waiting.size > 0 ? setTimeout(() => void this.poll(), this.everyMs) : undefined;
  }
}

/** Confirms through the API that every id reads `finalized: true`. */
async function confirmFinalized(stack: EmbeddedStack, ids: string[]): Promise<void> {
  await inParallel(ids, 10, async (id) => {
    const got = await fetch(`${stack.base}/v1/tracking/creators/${id}`, { headers: stack.headers });
    const body = (await got.json()) as { data: { finalized: boolean } };
    if (got.status !== 200 || !body.data.finalized) throw new Error(`creator ${id} is not finalized`);
  });
}

async function burst(): Promise<void> {
  await withEmbeddedStack(N * 25 + 1000, async (stack) => {
    const posted = new Map<string, number>();
    const watcher = new FinalizedWatcher(stack, 250);
    const finalized: Promise<[string, number]>[] = [];
    const started = performance.now();
    await inParallel(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const t0 = performance.now();
        const id = await postCreator(stack, i);
        posted.set(id, t0);
        finalized.push(watcher.wait(id).then((at) => [id, at]));
      },
    );
    const postsDone = performance.now();
    const finalizedAt = new Map(await Promise.all(finalized));
    const allFinalized = Math.max(...finalizedAt.values());
    const latencies = [...posted].map(([id, t0]) => (finalizedAt.get(id) as number) - t0).sort((a, b) => a - b);
    await confirmFinalized(stack, [...posted.keys()]);
    const elapsed = (allFinalized - started) / 1000;
    report(
      'bench/creators.ts --mode burst',
      {
        creators: N,
        concurrency: CONCURRENCY,
        all_posted_s: Number(((postsDone - started) / 1000).toFixed(1)),
        all_finalized_s: Number(elapsed.toFixed(1)),
        first_cycle_p50_ms: Math.round(percentile(latencies, 50)),
        first_cycle_p99_ms: Math.round(percentile(latencies, 99)),
        cycles_per_second: Number((N / elapsed).toFixed(1)),
      },
      !args['no-record'],
    );
  });
}

async function sleeping(): Promise<void> {
  await withEmbeddedStack(N * 25 + 1000, sleepingRun, { workerProcess: true });
}

async function sleepingRun(stack: EmbeddedStack): Promise<void> {
  const idleWorkerRss = rssMiB(stack.workerPid);
  const idleBenchRss = rssMiB(process.pid);
  const idleTemporalRss = rssMiB(stack.temporalPid);
  const started = performance.now();
  const ids: string[] = [];
  await inParallel(
    Array.from({ length: N }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      ids.push(await postCreator(stack, i, 'monthly'));
    },
  );
  const created = performance.now();
  const watcher = new FinalizedWatcher(stack, 1000);
  await Promise.all(ids.map((id) => watcher.wait(id)));
  const asleep = performance.now();
  await confirmFinalized(stack, ids);
  // let the last workflow tasks settle and the heap be collected where it will be
  await new Promise((r) => setTimeout(r, 5000));
  const benchRss = rssMiB(process.pid);
  const workerRss = rssMiB(stack.workerPid);
  const temporalRss = rssMiB(stack.temporalPid);
  const heapUsed = Math.round(process.memoryUsage().heapUsed / 2 ** 20);

  const latencies: number[] = [];
  const until = performance.now() + 10_000;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await fetch(`${stack.base}/v1/tracking/creators?limit=50`, { headers: stack.headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET list answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  report(
    'bench/creators.ts --mode sleeping',
    {
      creators: N,
      concurrency: CONCURRENCY,
      create_s: Number(((created - started) / 1000).toFixed(1)),
      all_asleep_s: Number(((asleep - started) / 1000).toFixed(1)),
      max_cached_workflows: process.env.BENCH_MAX_CACHED_WORKFLOWS ?? 'SDK default',
      idle_worker_rss_mib: idleWorkerRss,
      asleep_worker_rss_mib: workerRss,
      idle_api_and_load_rss_mib: idleBenchRss,
      asleep_api_and_load_rss_mib: benchRss,
      asleep_api_and_load_heap_used_mib: heapUsed,
      idle_temporal_dev_server_rss_mib: idleTemporalRss,
      asleep_temporal_dev_server_rss_mib: temporalRss,
      list_limit50_c20_requests: latencies.length,
      list_limit50_c20_p50_ms: Math.round(percentile(latencies, 50)),
      list_limit50_c20_p99_ms: Math.round(percentile(latencies, 99)),
    },
    !args['no-record'],
  );
}

async function latency(): Promise<void> {
  await withEmbeddedStack(N * 25 + 1000, async (stack) => {
    const { client, taskQueue } = stack;
    // the same server's bare throughput: no-op workflows (one activity each) started and awaited at the same width
    const noopStart = Date.now();
    await inParallel(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await client.workflow.execute('healthProbeWorkflow', { taskQueue, workflowId: `bench-noop-${i}` });
      },
    );
    const noopPerSecond = N / ((Date.now() - noopStart) / 1000);

    const latencies: number[] = [];
    const ids: string[] = [];
    const watcher = new FinalizedWatcher(stack);
    const started = Date.now();
    await inParallel(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const t0 = performance.now();
        const id = await postCreator(stack, i);
        ids.push(id);
        latencies.push((await watcher.wait(id)) - t0);
      },
    );
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    await confirmFinalized(stack, ids);

    let events = 0;
    let activities = 0;
    let localActivities = 0;
    const sample = ids.slice(0, 20);
    for (const id of sample) {
      const history = await client.workflow.getHandle(`creator:${id}`).fetchHistory();
      const { first } = cycleShapes(history.events ?? []);
      events += first?.events ?? 0;
      activities += first?.activities ?? 0;
      localActivities += first?.localActivities ?? 0;
    }
    const cyclesPerSecond = N / elapsed;
    report(
      'bench/creators.ts',
      {
        creators: N,
        concurrency: CONCURRENCY,
        first_cycle_p50_ms: Math.round(percentile(latencies, 50)),
        first_cycle_p99_ms: Math.round(percentile(latencies, 99)),
        cycles_per_second: Number(cyclesPerSecond.toFixed(1)),
        noop_workflows_per_second: Number(noopPerSecond.toFixed(1)),
        ratio_to_noop: Number((cyclesPerSecond / noopPerSecond).toFixed(2)),
        history_events_per_first_cycle: Number((events / sample.length).toFixed(1)),
        activity_tasks_per_first_cycle: Number((activities / sample.length).toFixed(1)),
        local_activities_per_first_cycle: Number((localActivities / sample.length).toFixed(1)),
      },
      !args['no-record'],
    );
  });
}

const modes = { latency, burst, sleeping };
modes[MODE]().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
