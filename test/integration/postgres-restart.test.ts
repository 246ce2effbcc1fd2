import { execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../../api/app';
import { recordEvent } from '../../db/events';
import { createPool } from '../../db/pool';
import { inTransaction } from '../../db/transaction';
import { pgProgram, startPrivateCluster, type PrivateCluster } from '../../scripts/postgres';
import { OutboxRelay } from '../../worker/outbox-relay';
import { requireEnv } from '../helpers/env';
import { apiClient, eventually } from '../helpers/http';
import { Receiver } from '../helpers/receiver';
import { ledgerOf, newTeam } from '../helpers/teams';
import { killWorkerProcess, spawnWorkerProcess } from '../helpers/worker-spawn';

const run = promisify(execFile);
const CREATORS = 6;
const BACKLOG = 150;
const OUTAGE_MS = 10_000;
const asPostgres = (program: string, args: string[]) =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', program, ...args]) : run(program, args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A Postgres restart (`pg_ctl stop -m fast`, ~9 s down, started again on the same port) while tracking cycles run in a
 * worker process and the outbox relay is working through a backlog. The cluster is this suite's own, so stopping it
 * disturbs no other suite.
 */
describe('a Postgres restart under load', () => {
  let scratch: string;
  let cluster: PrivateCluster;
  let pool: Pool;
  let connection: Connection;
  let server: Server;
  let relay: OutboxRelay;
  let worker: ChildProcess;
  const receiver = new Receiver();
  const relayErrors: unknown[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-restart-'));
    chmodSync(scratch, 0o755);
    cluster = await startPrivateCluster({ dataDir: path.join(scratch, 'pg'), database: 'restart', ephemeral: true });
    // node-pg-migrate is ESM-only and jest's runtime cannot import it: migrate as `npm run migrate` does
    await run(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../db/migrate.ts')], {
      env: { ...process.env, DATABASE_URL: cluster.url },
    });
    pool = createPool(cluster.url, 10);
    const taskQueue = `restart-${randomUUID()}`;
    connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
    const client = new Client({ connection, namespace: 'default' });
    const app = createApp({
      pool,
      temporal: client,
      taskQueue,
      webhooks: { allowInsecureLoopback: true },
      log: (err) => console.error(err),
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    await receiver.start();
    // in this process: an unhandled 'error' from one of its clients would end the jest worker, failing the suite
    relay = new OutboxRelay({
      pool,
      client,
      taskQueue,
      sweepIntervalMs: 500,
      claimLeaseMs: 3_000,
      log: (_message, err) => relayErrors.push(err),
    });
    await relay.start();
    worker = await spawnWorkerProcess(taskQueue, {
      DATABASE_URL: cluster.url,
      // each upstream call takes this long: the cycles reach their database writes just after the server went down,
      // and the three platform attempts of the old code would all have met the outage
      SIMULATED_LATENCY_MS: '500',
      WEBHOOK_ALLOW_INSECURE_LOOPBACK: 'true',
    });
  });

  afterAll(async () => {
    await relay?.stop();
    if (worker && worker.exitCode === null) await killWorkerProcess(worker);
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    if (receiver.port) await receiver.close();
    await connection?.close();
    await pool?.end();
    cluster?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('keeps the worker and the relay alive, fails no cycle and delivers every event once', async () => {
    const team = await newTeam(pool, 10_000);
    const api = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, team.key);
    const hook = await api.post('/v1/webhooks', { url: receiver.url, enabled_events: ['*'] });
    expect(hook.status).toBe(201);

    // a backlog, so the relay is mid-pass (claimed rows, workflow starts in flight) when the server goes away
    await inTransaction(pool, async (client) => {
      for (let i = 0; i < BACKLOG; i++) {
        const resourceId = randomUUID();
        await recordEvent(client, {
          key: `restart-test:${i}`,
          teamId: team.teamId,
          type: 'tracking.paused',
          resourceType: 'creator',
          resourceId,
          data: { n: i },
        });
      }
    });
    const tracked = await Promise.all(
      Array.from({ length: CREATORS }, (_, i) =>
        api.post('/v1/tracking/creators', { platform: 'tiktok', handle: `restart.creator${i}` }),
      ),
    );
    expect(tracked.map((r) => r.status)).toEqual(Array(CREATORS).fill(202));
    const ids = tracked.map((r) => r.body.data.id as string);

    const stoppedAt = Date.now();
    await asPostgres(pgProgram('pg_ctl'), ['-D', cluster.dataDir, '-m', 'fast', '-w', 'stop']);
    const midOutage = await api.get(`/v1/tracking/creators/${ids[0]}`);
    expect(midOutage.status).toBe(503);
    expect(midOutage.headers.get('retry-after')).toBe('5');
    await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
    expect(worker.exitCode).toBeNull();
    const serverOptions = `-p ${cluster.port} -k ${cluster.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    const log = path.join(cluster.dataDir, 'server.log');
    await asPostgres(pgProgram('pg_ctl'), ['-D', cluster.dataDir, '-l', log, '-o', serverOptions, '-w', 'start']);
    const restartedAt = Date.now();

    // every cycle begun before or during the outage completes, none failed
    const creators = await eventually(
      'every first cycle to end',
      async () => {
        const rows = await pool.query<{
          cycles_completed: number;
          consecutive_failures: number;
          last_failure: unknown;
          enrichment_status: string;
          cycle_in_progress: number | null;
        }>(
          `SELECT cycles_completed, consecutive_failures, last_failure, enrichment_status, cycle_in_progress
             FROM tracked_creators WHERE team_id = $1`,
          [team.teamId],
        );
        return rows.rows.length === CREATORS &&
          rows.rows.every((r) => r.cycles_completed >= 1 || r.last_failure !== null)
          ? rows.rows
          : undefined;
      },
      45_000,
    );
    const cyclesDoneAfterMs = Date.now() - restartedAt;
    for (const creator of creators) {
      expect(creator).toMatchObject({
        consecutive_failures: 0,
        last_failure: null,
        enrichment_status: 'ready',
        cycle_in_progress: null,
      });
    }

    // the ledger balances: every cycle reserved and captured once, nothing refunded
    const ledger = await ledgerOf(pool, team.teamId);
    expect(ledger.balance).toBe(ledger.entries.reduce((sum, e) => sum + e.amount_cents, 0));
    expect(ledger.balance).toBe(10_000 - CREATORS * 25);
    expect(ledger.entries.filter((e) => e.kind === 'refund')).toEqual([]);

    // every event (the backlog and the cycles') has one delivery, delivered, and the receiver processed each once
    const events = await pool.query<{ id: string }>('SELECT id FROM events WHERE team_id = $1', [team.teamId]);
    expect(events.rows.length).toBeGreaterThanOrEqual(BACKLOG + CREATORS);
    await eventually(
      'every delivery to succeed',
      async () => {
        const pending = await pool.query(
          `SELECT (SELECT count(*)::int FROM webhook_event_queue) AS queued,
                  (SELECT count(*)::int FROM webhook_deliveries WHERE status <> 'succeeded') AS unfinished`,
        );
        const { queued, unfinished } = pending.rows[0] as { queued: number; unfinished: number };
        return queued === 0 && unfinished === 0 && receiver.processed.size >= events.rows.length ? true : undefined;
      },
      30_000,
    );
    const deliveries = await pool.query<{ id: string; event_id: string }>(
      'SELECT id, event_id FROM webhook_deliveries WHERE team_id = $1',
      [team.teamId],
    );
    expect(deliveries.rows.length).toBe(events.rows.length);
    expect(new Set(deliveries.rows.map((d) => d.event_id))).toEqual(new Set(events.rows.map((e) => e.id)));
    expect(new Set(receiver.processed.keys())).toEqual(new Set(deliveries.rows.map((d) => d.id)));
    const succeeded = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.team_id = $1 AND a.delivery_status = 'succeeded'`,
      [team.teamId],
    );
    expect(succeeded.rows[0]?.n).toBe(events.rows.length);

    // the relay's LISTEN connection came back, and both processes lived through it all
    await eventually('the relay to LISTEN again', async () => {
      const listening = await pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN webhook_events' AND pid <> pg_backend_pid()`,
      );
      return listening.rows.length > 0 ? true : undefined;
    });
    expect(worker.exitCode).toBeNull();
    expect(relayErrors.length).toBeGreaterThan(0);
    console.log(
      `restart: cycles done ${cyclesDoneAfterMs} ms after Postgres was back; ${events.rows.length} events, ` +
        `${receiver.requests.length} requests for ${receiver.processed.size} webhook-ids ` +
        `(${receiver.duplicates} repeated attempts of an attempt cut off mid-record)`,
    );
  }, 120_000);
});
