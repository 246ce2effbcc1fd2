/**
 * Creator tracking benchmark on the embedded stack (private Postgres, Temporal dev server, one worker, the API):
 * POSTs N creators and reports first-cycle latency (POST → `finalized: true`) p50/p99, cycles per second, history
 * events and activity tasks per cycle, and the same server's bare no-op workflow throughput for comparison.
 *
 *   npm run bench -- [--creators 200] [--concurrency 20] [--no-record]
 *
 * Figures are appended to BENCHMARKS.md with the date and machine unless --no-record is given.
 */
import { parseArgs } from 'node:util';
import { inParallel, percentile, report, withEmbeddedStack } from './embedded';

const { values: args } = parseArgs({
  options: {
    creators: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    'no-record': { type: 'boolean', default: false },
  },
});
const N = Number(args.creators);
const CONCURRENCY = Number(args.concurrency);

async function main(): Promise<void> {
  await withEmbeddedStack(N * 25 + 1000, async (stack) => {
    const { client, taskQueue, base, headers } = stack;
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
    const started = Date.now();
    await inParallel(
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
      },
      !args['no-record'],
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
