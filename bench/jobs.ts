/**
 * Paid jobs and webhooks on the embedded stack:
 * - `full` post collections (500 posts each): POST → `completed` p50/p99 and posts stored per second overall;
 * - audience refreshes: POST → `completed` p50/p99;
 * - webhook delivery: from the `tracking.cycle.completed` event's commit to its arrival at a local receiver, p50/p99.
 *
 *   npm run bench:jobs -- [--creators 20] [--concurrency 5] [--no-record]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { inParallel, percentile, pollUntil, post, report, withEmbeddedStack, type EmbeddedStack } from './embedded';

const { values: args } = parseArgs({
  options: {
    creators: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '5' },
    'no-record': { type: 'boolean', default: false },
  },
});
const N = Number(args.creators);
const CONCURRENCY = Number(args.concurrency);

type Data<T> = { data: T };
type Job = { status: string; videos_collected?: number };

const ms = (values: number[], p: number) =>
  Math.round(
    percentile(
      [...values].sort((a, b) => a - b),
      p,
    ),
  );

/** Tracks a creator and waits for its first cycle; returns its id. */
async function tracked(stack: EmbeddedStack, handle: string): Promise<string> {
  const created = await post<Data<{ id: string }>>(stack, '/v1/tracking/creators', { platform: 'tiktok', handle });
  await pollUntil<Data<{ finalized: boolean }>>(
    stack,
    `/v1/tracking/creators/${created.data.id}`,
    (b) => b.data.finalized,
  );
  return created.data.id;
}

async function main(): Promise<void> {
  await withEmbeddedStack(N * (25 + 200 + 50) + 10_000, async (stack) => {
    // a local receiver timestamps every delivery; the event's commit time is in the body
    const arrivals: number[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const event = JSON.parse(body) as { type: string; timestamp: string };
        if (event.type === 'tracking.cycle.completed') arrivals.push(Date.now() - Date.parse(event.timestamp));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await post(
      stack,
      '/v1/webhooks',
      {
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        enabled_events: ['tracking.cycle.completed'],
      },
      201,
    );

    const ids: string[] = [];
    await inParallel(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        ids.push(await tracked(stack, `bench.jobs.${i}`));
      },
    );

    const collections: number[] = [];
    let posts = 0;
    const collectStart = Date.now();
    await inParallel(ids, CONCURRENCY, async (id) => {
      const t0 = performance.now();
      const started = await post<Data<{ poll_url: string }>>(stack, `/v1/tracking/creators/${id}/posts/collect`, {
        depth: 'full',
      });
      const done = await pollUntil<Data<Job>>(stack, started.data.poll_url, (b) => b.data.status !== 'processing');
      if (done.data.status !== 'completed') throw new Error(`collection ended ${done.data.status}`);
      collections.push(performance.now() - t0);
      posts += done.data.videos_collected ?? 0;
    });
    const collectSeconds = (Date.now() - collectStart) / 1000;

    const refreshes: number[] = [];
    await inParallel(ids, CONCURRENCY, async (id) => {
      const t0 = performance.now();
      const started = await post<Data<{ job_id: string }>>(stack, `/v1/tracking/creators/${id}/audience-refresh`, {});
      const url = `/v1/tracking/creators/${id}/audience-refresh/${started.data.job_id}`;
      const done = await pollUntil<Data<Job>>(stack, url, (b) => b.data.status !== 'processing');
      if (done.data.status !== 'completed') throw new Error(`audience refresh ended ${done.data.status}`);
      refreshes.push(performance.now() - t0);
    });

    const deadline = Date.now() + 30_000;
    while (arrivals.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    receiver.close();

    report(
      'bench/jobs.ts',
      {
        creators: N,
        concurrency: CONCURRENCY,
        full_collection_p50_ms: ms(collections, 50),
        full_collection_p99_ms: ms(collections, 99),
        posts_stored_per_second: Math.round(posts / collectSeconds),
        audience_refresh_p50_ms: ms(refreshes, 50),
        audience_refresh_p99_ms: ms(refreshes, 99),
        webhooks_received: `${arrivals.length}/${N}`,
        webhook_event_to_receiver_p50_ms: ms(arrivals, 50),
        webhook_event_to_receiver_p99_ms: ms(arrivals, 99),
      },
      !args['no-record'],
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
