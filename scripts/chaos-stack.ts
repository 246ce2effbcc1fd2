/**
 * The stack a fault run breaks, every piece of it its own: a private Postgres cluster, a Temporal dev server on a
 * SQLite file (or a borrowed address, when the run does not kill Temporal), the worker as a child process, the API
 * and a webhook receiver in this process, and a team with a webhook subscription. Each fault is a method.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../api/app';
import { apiTemporalConnection } from '../api/outages';
import { createPool } from '../db/pool';
import { createApiKey, createTeam } from '../db/teams';
import { addCredits } from '../db/ledger';
import { freePort, pgProgram, startPrivateCluster, type PrivateCluster } from './postgres';
import { startTemporalDevServer, type DevServer } from './temporal-dev';
import { projectRoot } from './temporal-tools';

export interface ChaosStackOptions {
  scratch: string;
  /** the prebuilt workflow bundle the workers load */
  bundlePath: string;
  /** the `temporal` CLI: the stack runs its own dev server on a file. Else `temporalAddress` is borrowed. */
  temporalCli?: string;
  temporalAddress?: string;
  credits: number;
  simulatedLatencyMs?: number;
  log?: (line: string) => void;
  /** print every error the API logs (expected in numbers while a piece is down) */
  verbose?: boolean;
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** `pg_ctl` as the cluster's owner (Postgres refuses to run as root). */
function pgCtl(args: string[]): void {
  const program = pgProgram('pg_ctl');
  const [cmd, argv] = runningAsRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Migrates in a process of its own: node-pg-migrate is ESM-only, which a jest suite (CommonJS) cannot import, and
 * the fault tests start stacks from inside jest.
 */
function migrateInChild(databaseUrl: string): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'db/migrate.ts')], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrating ${databaseUrl} failed:\n${result.stdout}${result.stderr}`);
}

export class ChaosStack {
  worker: ChildProcess | undefined;
  workerStarts = 0;
  deliveriesReceived = 0;
  apiErrorsLogged = 0;
  private temporalServer: DevServer | undefined;
  private httpServer: http.Server | undefined;
  private receiver: http.Server | undefined;

  private constructor(
    readonly options: ChaosStackOptions,
    readonly cluster: PrivateCluster,
    readonly temporalAddress: string,
    private readonly temporalPort: number | undefined,
    readonly pool: Pool,
    readonly taskQueue: string,
  ) {}

  baseUrl = '';
  key = '';
  teamId = '';
  client: Client | undefined;
  /** the API's own client (api/outages.ts `apiTemporalConnection`) */
  private apiTemporal: Client | undefined;

  private get log(): (line: string) => void {
    return this.options.log ?? (() => undefined);
  }

  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const cluster = await startPrivateCluster({
      dataDir: path.join(options.scratch, 'postgres'),
      database: 'chaos',
      ephemeral: true,
    });
    migrateInChild(cluster.url);
    const port = options.temporalCli ? await freePort() : undefined;
    const address = port ? `127.0.0.1:${port}` : options.temporalAddress;
    if (!address) throw new Error('a fault run needs temporalCli or temporalAddress');
    const stack = new ChaosStack(options, cluster, address, port, createPool(cluster.url, 10), `chaos-${randomUUID()}`);
    try {
      await stack.startTemporal();
      stack.client = new Client({ connection: await Connection.connect({ address }) });
      await stack.startWorker();
      await stack.startApi();
      await stack.startReceiver();
      return stack;
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  /** Starts (or restarts, on the same port and file) the stack's own Temporal server; a borrowed one is left alone. */
  async startTemporal(): Promise<void> {
    if (!this.options.temporalCli || !this.temporalPort) return;
    this.temporalServer = await startTemporalDevServer({
      cli: this.options.temporalCli,
      dbFile: path.join(this.options.scratch, 'temporal', 'temporal.db'),
      port: this.temporalPort,
      namespace: 'default',
      logFile: path.join(this.options.scratch, 'temporal.log'),
    });
  }

  /** SIGKILL to the Temporal server: no shutdown, whatever it had not written to its file is lost. */
  async killTemporal(): Promise<void> {
    const server = this.temporalServer;
    if (!server) throw new Error('this stack borrows its Temporal server and may not kill it');
    const exited = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGKILL');
    await exited;
    this.temporalServer = undefined;
  }

  async startWorker(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/simulated-worker.ts')], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: this.cluster.url,
        TEMPORAL_ADDRESS: this.temporalAddress,
        TEMPORAL_TASK_QUEUE: this.taskQueue,
        WORKFLOW_BUNDLE: this.options.bundlePath,
        WORKER_RELAY: 'true',
        // the receiver is the fault run's own loopback server
        WEBHOOK_ALLOW_INSECURE_LOOPBACK: 'true',
        SIMULATED_LATENCY_MS: String(this.options.simulatedLatencyMs ?? 0),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // the worker's complaints during an outage are many and expected: kept in a file, not printed
    const logFile = createWriteStream(path.join(this.options.scratch, 'worker.log'), { flags: 'a' });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      logFile.write(chunk);
    });
    child.once('exit', () => logFile.end());
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the worker exited with ${code}:\n${output}`)));
    });
    // a worker that dies on its own (not by our SIGKILL) is a finding of the run, not something to paper over
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') this.log(`worker exited by itself (${signal ?? code}):\n${output.slice(-1500)}`);
    });
    this.worker = child;
    this.workerStarts += 1;
  }

  async killWorker(): Promise<void> {
    const child = this.worker;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.worker = undefined;
  }

  /** Whether the worker process is still alive (a crash on its own leaves it dead). */
  workerAlive(): boolean {
    return this.worker !== undefined && this.worker.exitCode === null && this.worker.signalCode === null;
  }

  /** `pg_ctl stop -m fast`: every connection is cut, in-flight transactions roll back. */
  stopPostgres(): void {
    pgCtl(['-D', this.cluster.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** Starts the cluster again on the port every pool already points at. */
  startPostgres(): void {
    const serverOptions = [
      `-p ${this.cluster.port}`,
      `-k ${this.cluster.dataDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    const logFile = path.join(this.cluster.dataDir, 'server.log');
    pgCtl(['-D', this.cluster.dataDir, '-l', logFile, '-o', serverOptions, '-w', 'start']);
  }

  private async startApi(): Promise<void> {
    // the API's own Temporal connection, built as api/main.ts builds it, so outages are answered as in production
    const temporal = new Client({ connection: apiTemporalConnection({ address: this.temporalAddress }) });
    this.apiTemporal = temporal;
    const app = createApp({
      pool: this.pool,
      temporal,
      taskQueue: this.taskQueue,
      rateLimitPerMinute: 1e9,
      ipRateLimitPerMinute: 1e9,
      log: (err) => {
        this.apiErrorsLogged += 1;
        if (this.options.verbose) this.log(`api: ${err instanceof Error ? err.message : String(err)}`);
      },
      webhooks: { allowInsecureLoopback: true },
    });
    this.httpServer = await new Promise<http.Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    this.baseUrl = `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`;
    const team = await createTeam(this.pool, 'chaos');
    await addCredits(this.pool, team.id, this.options.credits, `chaos:${team.id}:initial`);
    this.teamId = team.id;
    this.key = (await createApiKey(this.pool, team.id, 'chaos')).key;
  }

  /** A receiver that accepts every webhook, and the team's subscription to every event. */
  private async startReceiver(): Promise<void> {
    this.receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.deliveriesReceived += 1;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.receiver?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(this.receiver.address() as AddressInfo).port}/hooks`;
    const res = await this.request('POST', '/v1/webhooks', { url, enabled_events: ['*'] });
    if (res.status !== 201) throw new Error(`creating the webhook subscription answered ${res.status}`);
  }

  /** One API call as the team; never throws (an outage answers `status: 0`). */
  async request(method: string, url: string, body?: unknown, timeoutMs = 30_000) {
    try {
      const res = await fetch(`${this.baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as { data?: { id?: string } }) : undefined };
    } catch {
      return { status: 0, body: undefined };
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.httpServer) return resolve();
      this.httpServer.close(() => resolve());
      this.httpServer.closeAllConnections();
    });
    await new Promise<void>((resolve) => (this.receiver ? this.receiver.close(() => resolve()) : resolve()));
    this.receiver?.closeAllConnections();
    await this.killWorker();
    await this.client?.connection.close().catch(() => undefined);
    await this.apiTemporal?.connection.close().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.temporalServer?.stop();
    this.cluster.stop();
  }
}
