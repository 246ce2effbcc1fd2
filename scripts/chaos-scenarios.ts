/** The fault scenarios, shared by `npm run chaos` (long faults) and test/integration/faults.test.ts (short ones). */
import { randomBytes } from 'node:crypto';
import { auditFigures, type Finding } from '../db/audit';
import { fullAudit } from '../db/audit-workflows';
import type { ChaosStack } from './chaos-stack';

export type FaultName = 'worker-sigkill' | 'temporal-restart' | 'postgres-outage';

export interface ScenarioOptions {
  fault: FaultName;
  /** how long the broken piece stays down */
  downMs: number;
  /** trackings started, spread over `spreadMs`; the fault strikes a third of the way in */
  trackings: number;
  spreadMs: number;
  /** how long the stack may take to finish every cycle after the fault */
  settleTimeoutMs: number;
}

export interface ScenarioResult {
  fault: FaultName;
  downMs: number;
  durationMs: number;
  accepted: number;
  /** API answers other than 200/202 (or none at all) while the fault lasted: 503s are expected, and counted */
  apiErrors: Record<string, number>;
  /** answers that are neither a success nor a 503 (0 = no answer in 30 s): each one is a defect */
  unexpectedAnswers: Record<string, number>;
  settled: boolean;
  /** what was still in flight when the settle deadline passed */
  stuck: string[];
  /** the worker died without being killed (a Postgres outage must not do that) */
  workerCrashed: boolean;
  figures: Awaited<ReturnType<typeof auditFigures>>;
  findings: Finding[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function applyFault(stack: ChaosStack, fault: FaultName, downMs: number): Promise<void> {
  switch (fault) {
    case 'worker-sigkill':
      await stack.killWorker();
      await sleep(downMs);
      await stack.startWorker();
      return;
    case 'temporal-restart':
      await stack.killTemporal();
      await sleep(downMs);
      await stack.startTemporal();
      return;
    case 'postgres-outage':
      stack.stopPostgres();
      await sleep(downMs);
      stack.startPostgres();
      return;
  }
}

/** Starts `count` trackings (two creators to each video) spread over `spreadMs`, each POST on its own. */
async function trackingLoad(stack: ChaosStack, count: number, spreadMs: number) {
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep((spreadMs * i) / count);
      const tag = randomBytes(6).toString('hex').slice(0, 11);
      const res =
        i % 3 === 2
          ? await stack.request('POST', '/v1/tracking/videos', {
              platform: 'youtube',
              url: `https://www.youtube.com/watch?v=${tag}`,
            })
          : await stack.request('POST', '/v1/tracking/creators', { platform: 'tiktok', handle: `chaos_${tag}` });
      statuses.push(res.status);
    }),
  );
  return statuses;
}

/**
 * Waits until nothing is in flight: no open reservation, no cycle marked running, no event waiting for the relay
 * and no delivery pending, twice in a row (a tracking whose POST timed out may still register a moment later).
 */
async function settle(stack: ChaosStack, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quietChecks = 0;
  while (Date.now() < deadline) {
    try {
      const { rows } = await stack.pool.query<{ busy: number }>(
        `SELECT (SELECT count(*) FROM credit_ledger r WHERE r.kind = 'reserve'
                   AND NOT EXISTS (SELECT 1 FROM credit_ledger s WHERE s.settles = r.idempotency_key))
              + (SELECT count(*) FROM tracked_creators WHERE cycle_in_progress IS NOT NULL)
              + (SELECT count(*) FROM tracked_videos WHERE cycle_in_progress IS NOT NULL)
              + (SELECT count(*) FROM webhook_event_queue)
              + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS busy`,
      );
      quietChecks = Number(rows[0]?.busy) === 0 ? quietChecks + 1 : 0;
      if (quietChecks >= 2) return true;
    } catch {
      quietChecks = 0;
    }
    await sleep(1_000);
  }
  return false;
}

/** Names what keeps a run from settling: open reservations (with their age) and the rest by count. */
async function inFlight(stack: ChaosStack): Promise<string[]> {
  const { rows } = await stack.pool.query<{ item: string }>(
    `SELECT 'open reservation ' || r.idempotency_key || ' (' || extract(epoch FROM now() - r.created_at)::int || ' s)'
              AS item
       FROM credit_ledger r
      WHERE r.kind = 'reserve' AND NOT EXISTS (SELECT 1 FROM credit_ledger s WHERE s.settles = r.idempotency_key)
     UNION ALL SELECT count(*) || ' events queued for the relay' FROM webhook_event_queue HAVING count(*) > 0
     UNION ALL SELECT count(*) || ' deliveries pending' FROM webhook_deliveries WHERE status = 'pending'
      HAVING count(*) > 0`,
  );
  return rows.map((r) => r.item);
}

/** Reads the creator list every 250 ms until `done` resolves: during an outage each read is a 200 or a 503. */
async function readLoad(stack: ChaosStack, done: Promise<unknown>): Promise<number[]> {
  const statuses: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    statuses.push((await stack.request('GET', '/v1/tracking/creators?limit=5')).status);
    await sleep(250);
  }
  return statuses;
}

export async function runScenario(stack: ChaosStack, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  let workerCrashed = false;
  const load = trackingLoad(stack, options.trackings, options.spreadMs);
  await sleep(options.spreadMs / 3);
  const fault = applyFault(stack, options.fault, options.downMs);
  const reads = readLoad(stack, fault);
  await fault;
  const statuses = [...(await load), ...(await reads)];
  // give a worker that crashed on its own a moment to be noticed, then replace it so the run can finish
  await sleep(500);
  if (!stack.workerAlive()) {
    workerCrashed = true;
    await stack.startWorker();
  }
  const settled = await settle(stack, options.settleTimeoutMs);
  const stuck = settled ? [] : await inFlight(stack);
  const { findings } = await fullAudit(stack.pool, stack.client, { teamIds: [stack.teamId] });
  const apiErrors: Record<string, number> = {};
  for (const status of statuses) {
    if (status !== 200 && status !== 202) apiErrors[String(status)] = (apiErrors[String(status)] ?? 0) + 1;
  }
  const unexpectedAnswers = Object.fromEntries(Object.entries(apiErrors).filter(([status]) => status !== '503'));
  return {
    fault: options.fault,
    downMs: options.downMs,
    durationMs: Date.now() - started,
    accepted: statuses.filter((s) => s === 202).length,
    apiErrors,
    unexpectedAnswers,
    settled,
    stuck,
    workerCrashed,
    figures: await auditFigures(stack.pool, { teamIds: [stack.teamId] }),
    findings,
  };
}
