import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/postgres';
import { projectRoot } from '../../scripts/temporal-tools';

export interface Started {
  child: ChildProcess;
  output: () => string;
  key: string;
}

/** Runs scripts/start.ts (what `npm start` runs after installing) with its own data folder and ports. */
export async function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/start.ts')], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const key = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${output}`)), 90_000);
    const poll = setInterval(() => {
      const match = /API key:\s+(ct_\S+)/.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`start exited early with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, key };
}

/** The pids start.ts printed for a service (`worker: pid 1234`), one per (re)start, oldest first. */
export function pids(started: Started, name: 'worker' | 'api'): number[] {
  return [...started.output().matchAll(new RegExp(`^${name}: pid (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
}

/** Polls until check() resolves true; fails with what() when timeoutMs runs out. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stop(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.once('exit', (code) => resolve(code));
    started.child.kill('SIGINT');
  });
}

/**
 * What `npm start` gets in a test: its own data folder and free ports, and none of the suite's own servers (start has
 * to bring up its own Postgres and Temporal).
 */
export async function startEnv(
  dataDir: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<{
  env: NodeJS.ProcessEnv;
  apiPort: number;
  temporalPort: number;
  uiPort: number;
  metricsPort: number;
  temporalMetricsPort: number;
}> {
  const [apiPort, temporalPort, uiPort, metricsPort, temporalMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CT_DATA_DIR: dataDir,
    PORT: String(apiPort),
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  return { env, apiPort, temporalPort, uiPort, metricsPort, temporalMetricsPort };
}
