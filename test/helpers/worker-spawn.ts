import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../scripts/temporal-tools';
import { requireEnv, testDatabaseUrl } from './env';

/**
 * Starts scripts/simulated-worker.ts as its own process on `taskQueue` and resolves once it polls. The process is
 * node itself with tsx's loader, not the tsx wrapper, so `kill('SIGKILL')` hits the process running the activities.
 */
export async function spawnWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/simulated-worker.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE: requireEnv('TEST_WORKFLOW_BUNDLE'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
  });
  return child;
}

/** Kills a worker process the hard way (no drain, nothing reported) and waits until it is gone. */
export async function killWorkerProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
