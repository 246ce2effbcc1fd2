import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../scripts/temporal-tools';
import { startEnv } from '../helpers/start-script';

/** Runs scripts/start.ts to its end; resolves with its exit code and everything it printed. */
function runStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/start.ts')], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function occupy(host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('npm start with a busy port', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-ports-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['PORT', '127.0.0.1'],
    ['WORKER_METRICS_PORT', '0.0.0.0'],
  ])(
    'stops before starting anything, in one line naming %s, when another program holds it',
    async (variable, host) => {
      const held = await occupy(host);
      try {
        const { env } = await startEnv(dataDir, { [variable]: String(held.port) });
        const { code, output } = await runStart(env);
        expect(code).toBe(1);
        expect(output.trim()).toBe(
          `port ${held.port} (${variable === 'PORT' ? 'the API' : "the worker's metrics"}) is in use by another program: ` +
            `set ${variable} to a free port, or stop the program holding it`,
        );
        // nothing was started: no Postgres cluster, no Temporal database
        expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
        expect(existsSync(path.join(dataDir, 'temporal'))).toBe(false);
      } finally {
        await held.close();
      }
    },
    60_000,
  );
});
