import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { temporalConnectionOptions } from '../connection/temporal';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig } from '../domain/config';
import { describeSources, sourcePlan } from '../domain/sources';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createApiKey, createTeam, teamForApiKey, teamNamed } from '../db/teams';
import { addCredits } from '../db/ledger';
import { freePort, startPrivateCluster, type PrivateCluster } from './postgres';
import { decide, formatDuration, freshHistory, type RestartHistory } from './supervisor';
import { registerSearchAttributes, startTemporalDevServer, type DevServer } from './temporal-dev';
import { ensureTemporalBinaries, projectRoot } from './temporal-tools';
import { planPorts, portIsFree } from './ports';
import { writeRunningSettings } from './running-settings';

// start-script settings (not app configuration): where local state lives and which local ports the dev server takes
const dataDir = path.resolve(process.env.CT_DATA_DIR || path.join(projectRoot, '.data'));
const keyFile = path.join(dataDir, 'dev-api-key');
const temporalPort = Number(process.env.TEMPORAL_DEV_PORT || 7233);
const temporalUiPort = Number(process.env.TEMPORAL_UI_PORT || 8233);
const temporalMetricsPort = Number(process.env.TEMPORAL_METRICS_PORT || 8234);
const DEFAULT_WORKER_METRICS_PORT = 9464;
const DEMO_TEAM = 'Demo team';
const DEMO_CREDITS = 10_000;

/** The demo team and its key, made on the first start and reused after (the key is kept in .data/dev-api-key). */
async function ensureDemoTeam(databaseUrl: string): Promise<string> {
  const pool = createPool(databaseUrl, 2);
  try {
    const saved = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
    if (saved && (await teamForApiKey(pool, saved))) return saved;
    const teamId = (await teamNamed(pool, DEMO_TEAM))?.id ?? (await createTeam(pool, DEMO_TEAM)).id;
    await addCredits(pool, teamId, DEMO_CREDITS, `demo-team:${teamId}:initial-credits`, 'demo team starting credits');
    const { key } = await createApiKey(pool, teamId, 'dev');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    return key;
  } finally {
    await pool.end();
  }
}

/** Waits for this start's own API: another program answering on the port (another API) does not count. */
async function waitForHealth(url: string, instanceId: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const text = await res.text();
      const answered = (() => {
        try {
          return (JSON.parse(text) as { instance_id?: unknown }).instance_id;
        } catch {
          return undefined;
        }
      })();
      if (res.ok && answered === instanceId) return;
      last = res.ok
        ? `another program answers there (instance ${String(answered)}, not ${instanceId})`
        : `${res.status} ${text}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer 200 in time: ${last}`);
}

/** Whether a workflow round trip (API → Temporal → worker → Postgres → API) succeeds before the deadline. */
async function workerAnswers(url: string, key: string, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
    if (res?.ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function startNodeService(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, entry)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    // own process group: Ctrl-C reaches this orchestrator, which stops children in order (worker drains first)
    detached: true,
  });
  child.on('error', (err) => console.error(`${name}: ${err.message}`));
  // tests (and people) find the process to signal from this line
  console.log(`${name}: pid ${child.pid}`);
  return child;
}

interface Supervised {
  child?: ChildProcess;
  restartTimer?: NodeJS.Timeout;
}

/** Keeps one service running: restarts it with backoff when it exits, until stopping() or the policy gives up. */
function supervise(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  stopping: () => boolean,
  giveUp: () => void,
): Supervised {
  const service: Supervised = {};
  let history: RestartHistory = freshHistory;
  const run = (): void => {
    service.restartTimer = undefined;
    if (stopping()) return;
    const startedAt = Date.now();
    const child = startNodeService(name, entry, env);
    service.child = child;
    child.once('exit', (code, signal) => {
      if (stopping()) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const decision = decide(history, startedAt, Date.now());
      history = decision.history;
      if (decision.action === 'give-up') {
        console.error(`${name} exited (${how}); ${decision.reason}, giving up and stopping everything`);
        giveUp();
        return;
      }
      console.error(
        `${name} exited (${how}); restarting in ${formatDuration(decision.delayMs)} (restart ${decision.restart})`,
      );
      service.restartTimer = setTimeout(run, decision.delayMs);
    });
  };
  run();
  return service;
}

function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  // every port, before anything starts: a clash is one line naming the variable to change
  const externalTemporal = Boolean(process.env.TEMPORAL_ADDRESS);
  const ports = await planPorts(
    [
      { variable: 'PORT', port: Number(process.env.PORT || 3000), purpose: 'the API', fallback: false },
      {
        variable: 'WORKER_METRICS_PORT',
        port: Number(process.env.WORKER_METRICS_PORT || DEFAULT_WORKER_METRICS_PORT),
        purpose: "the worker's metrics",
        fallback: false,
      },
      ...(externalTemporal
        ? []
        : [
            { variable: 'TEMPORAL_DEV_PORT', port: temporalPort, purpose: 'Temporal gRPC', fallback: true },
            { variable: 'TEMPORAL_UI_PORT', port: temporalUiPort, purpose: 'the Temporal UI', fallback: true },
            {
              variable: 'TEMPORAL_METRICS_PORT',
              port: temporalMetricsPort,
              purpose: "the Temporal dev server's metrics",
              fallback: true,
            },
          ]),
    ],
    portIsFree,
    freePort,
  );
  if (!ports.ok) {
    console.error(ports.message);
    process.exit(1);
  }
  for (const line of ports.moved) console.log(line);
  mkdirSync(dataDir, { recursive: true });
  const bins = ensureTemporalBinaries();
  let cluster: PrivateCluster | undefined;
  let temporal: DevServer | undefined;
  const services: Supervised[] = [];
  let stopping = false;

  const shutdown = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nstopping: API and worker, then Temporal, then Postgres');
      for (const service of services) clearTimeout(service.restartTimer);
      await Promise.all(services.map((service) => service.child && stopChild(service.child)));
      await temporal?.stop();
      if (cluster?.startedHere) cluster.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // a local machine: webhooks may go to http://127.0.0.1 receivers (README, Webhooks); off everywhere else
    env.WEBHOOK_ALLOW_INSECURE_LOOPBACK ??= 'true';
    env.PORT = String(ports.ports.PORT);
    env.WORKER_METRICS_PORT = String(ports.ports.WORKER_METRICS_PORT);
    // /healthz names this start's API, so the readiness check cannot be answered by another program
    env.INSTANCE_ID = randomUUID();
    if (!env.DATABASE_URL) {
      cluster = await startPrivateCluster({ dataDir: path.join(dataDir, 'postgres'), database: 'creator_tracker' });
      env.DATABASE_URL = cluster.url;
      console.log(`postgres: ${cluster.url} (${cluster.startedHere ? 'started' : 'already running'})`);
    }
    if (!env.TEMPORAL_ADDRESS) {
      temporal = await startTemporalDevServer({
        cli: bins.cli,
        dbFile: path.join(dataDir, 'temporal', 'temporal.db'),
        port: ports.ports.TEMPORAL_DEV_PORT as number,
        uiPort: ports.ports.TEMPORAL_UI_PORT,
        metricsPort: ports.ports.TEMPORAL_METRICS_PORT,
        namespace: env.TEMPORAL_NAMESPACE || 'default',
        logFile: path.join(dataDir, 'temporal', 'server.log'),
      });
      env.TEMPORAL_ADDRESS = temporal.address;
      console.log(`temporal: ${temporal.address}`);
    }
    const config = parseConfig(env);
    if (!temporal) {
      await registerSearchAttributes(temporalConnectionOptions(config), config.TEMPORAL_NAMESPACE).catch((err: Error) =>
        console.warn(`could not register search attributes on ${config.TEMPORAL_ADDRESS}: ${err.message}`),
      );
    }
    await migrate(config.DATABASE_URL, (msg) => console.log(`migrate: ${msg}`));
    const key = await ensureDemoTeam(config.DATABASE_URL);

    for (const [name, entry] of [
      ['worker', 'worker/main.ts'],
      ['api', 'api/main.ts'],
    ] as const) {
      services.push(
        supervise(
          name,
          entry,
          env,
          () => stopping,
          () => void shutdown(1),
        ),
      );
    }
    const apiUrl = `http://localhost:${config.PORT}`;
    writeRunningSettings(dataDir, config);
    await waitForHealth(`${apiUrl}/healthz`, env.INSTANCE_ID, 60_000);
    // the banner comes last: after the worker has bundled its workflows and run one (its start-up lines come first)
    if (!(await workerAnswers(`${apiUrl}/healthz/round-trip`, key, 120_000))) {
      console.warn('the worker has not run a workflow within 2 minutes; see its lines above');
    }
    const plan = sourcePlan(config);
    const simulated = Object.values(plan.platforms).every((source) => source === 'simulated');
    console.log(
      [
        '',
        'Creator Tracker is running.',
        `  API:          ${apiUrl}`,
        `  API docs:     ${apiUrl}/docs`,
        `  Temporal UI:  ${temporal?.uiUrl ?? `(external Temporal at ${config.TEMPORAL_ADDRESS})`}`,
        `  Metrics:      ${apiUrl}/metrics (API)  http://localhost:${config.WORKER_METRICS_PORT}/metrics (worker)` +
          (temporal?.metricsUrl ? `  ${temporal.metricsUrl} (Temporal)` : ''),
        `  API key:      ${key}   (saved in ${path.relative(process.cwd(), keyFile) || keyFile})`,
        `  Dashboard:    ${apiUrl}/dashboard#key=${key}`,
        `  Data:         ${describeSources(plan)}`,
        ...(simulated
          ? ['                (simulated numbers: set YOUTUBE_API_KEY and/or APIFY_TOKEN to track real creators)']
          : []),
        '',
        `  curl ${apiUrl}/v1/account -H "Authorization: Bearer ${key}"`,
        '',
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    await shutdown(1);
  }
}

void main();
