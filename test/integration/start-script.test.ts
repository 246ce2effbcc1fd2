import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pgProgram } from '../../scripts/postgres';
import { pids, start, startEnv, stop, waitUntil } from '../helpers/start-script';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-start-'));
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('brings up Postgres, Temporal with its UI, the worker and the API, restarts a crashed worker or API, stops them all on Ctrl-C, and resumes from .data', async () => {
    const { env, apiPort, temporalPort, uiPort, metricsPort, temporalMetricsPort } = await startEnv(dataDir);

    const first = await start(env);
    expect(readFileSync(path.join(dataDir, 'dev-api-key'), 'utf8').trim()).toBe(first.key);
    // what `npm run admin` reads when DATABASE_URL is unset
    const running = JSON.parse(readFileSync(path.join(dataDir, 'running.json'), 'utf8')) as Record<string, string>;
    expect(running.DATABASE_URL).toMatch(/^postgres:\/\/.+:\d+\/creator_tracker$/);
    expect(running.TEMPORAL_ADDRESS).toBe(`127.0.0.1:${temporalPort}`);
    const health = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', sources: { reports: { generator: 'heuristic' } } });
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    // the banner comes after the worker's and the API's start-up lines: it waits for a workflow round trip
    const bannerAt = first.output().indexOf('Creator Tracker is running.');
    expect(first.output().indexOf('worker polling task queue')).toBeGreaterThan(-1);
    expect(first.output().indexOf('worker polling task queue')).toBeLessThan(bannerAt);
    const roundTrip = `http://127.0.0.1:${apiPort}/healthz/round-trip`;
    const withKey = { headers: { authorization: `Bearer ${first.key}` } };
    await waitUntil(
      async () => (await fetch(roundTrip, withKey)).status === 200,
      20_000,
      () => `${roundTrip}\n${first.output()}`,
    );
    expect(first.output()).toContain(`Temporal UI:  http://localhost:${uiPort}`);
    expect(first.output()).toContain(`API docs:     http://localhost:${apiPort}/docs`);
    expect(first.output()).toContain(`http://localhost:${metricsPort}/metrics (worker)`);
    // the worker's endpoint serves the SDK's runtime metrics with the business counters
    const workerMetrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(workerMetrics).toContain('# TYPE tracking_cycles_total counter');
    expect(workerMetrics).toMatch(/^temporal_\w+/m);
    // the dev server's own metrics, on the port the banner names
    expect(first.output()).toContain(`http://localhost:${temporalMetricsPort}/metrics (Temporal)`);
    const serverMetrics = await (await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`)).text();
    expect(serverMetrics).toMatch(/^# TYPE \w+/m);
    // no webpack summary unless LOG_LEVEL=debug
    expect(first.output()).not.toMatch(/webpack \d+\.\d+\.\d+ compiled/);
    expect(first.output()).toContain('Data:         tiktok: simulated · youtube: simulated · instagram: simulated');
    // the dashboard link carries the demo key, and the script it loads builds from a fresh checkout's sources
    expect(first.output()).toContain(`Dashboard:    http://localhost:${apiPort}/dashboard#key=${first.key}`);
    const dashboardScript = await fetch(`http://127.0.0.1:${apiPort}/dashboard/assets/dashboard.js`);
    expect(dashboardScript.status).toBe(200);
    await dashboardScript.arrayBuffer();

    // a crashed worker comes back and runs workflows again, a crashed API answers again; both at once to save time
    const killed = { worker: pids(first, 'worker'), api: pids(first, 'api') };
    expect(killed.worker).toHaveLength(1);
    expect(killed.api).toHaveLength(1);
    for (const pid of [...killed.worker, ...killed.api]) process.kill(pid, 'SIGKILL');
    await waitUntil(() => pids(first, 'worker').length === 2 && pids(first, 'api').length === 2, 10_000, first.output);
    for (const name of ['worker', 'api'] as const) {
      expect(first.output()).toContain(`${name} exited (signal SIGKILL); restarting in 1 s (restart 1)`);
      expect(pids(first, name)[1]).not.toBe(killed[name][0]);
    }
    for (const url of [`http://127.0.0.1:${apiPort}/healthz`, roundTrip]) {
      await waitUntil(
        async () => (await fetch(url, withKey)).status === 200,
        20_000,
        () => `${url}\n${first.output()}`,
      );
    }

    expect(await stop(first)).toBe(0);
    expect(await portOpen(apiPort)).toBe(false);
    expect(await portOpen(temporalPort)).toBe(false);
    const pgStatus = spawnSync(pgProgram('pg_ctl'), ['-D', path.join(dataDir, 'postgres'), 'status']);
    expect(pgStatus.status).not.toBe(0);

    const second = await start(env);
    expect(second.key).toBe(first.key);
    expect(second.output()).not.toContain('0001_teams-keys-ledger (UP)');
    const again = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
    expect(again.status).toBe(200);
    expect(await stop(second)).toBe(0);
  }, 240_000);
});
