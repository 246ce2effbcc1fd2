import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrate } from '../db/migrate';
import { customSearchAttributes } from '../domain/search-attributes';
import { ensureDatabase, startPrivateCluster } from '../scripts/postgres';
import { ensureTemporalBinaries } from '../scripts/temporal-tools';
import { workflowInterceptorModules, workflowsPath } from '../worker/worker';
import type { TestInfra } from './global-teardown';

/**
 * Brings up the real infrastructure every integration suite shares: a throwaway Postgres database (a private cluster
 * unless DATABASE_URL names a server to borrow), a Temporal dev server with the project's search attributes, and one
 * workflow bundle. Anything missing throws here, which fails the whole run with the message; nothing is skipped.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const bins = ensureTemporalBinaries();
  process.env.TEMPORAL_CLI_PATH = bins.cli;
  process.env.TEMPORAL_TEST_SERVER_PATH = bins.testServer;

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-test-'));
  // the postgres user (when running as root) must be able to reach the cluster folder
  chmodSync(scratch, 0o755);
  const infra: TestInfra = { scratch };
  const database = `creator_tracker_test_${process.pid}_${Date.now()}`;
  const borrowed = process.env.DATABASE_URL;
  if (borrowed) {
    const admin = new URL(borrowed);
    admin.pathname = '/postgres';
    await ensureDatabase(admin.toString(), database);
    const url = new URL(borrowed);
    url.pathname = `/${database}`;
    process.env.DATABASE_URL = url.toString();
    infra.borrowedDatabase = { adminUrl: admin.toString(), database };
  } else {
    const cluster = await startPrivateCluster({ dataDir: path.join(scratch, 'postgres'), database, ephemeral: true });
    process.env.DATABASE_URL = cluster.url;
    infra.cluster = cluster;
  }
  await migrate(process.env.DATABASE_URL as string);

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: bins.cli },
      ip: '127.0.0.1',
      searchAttributes: customSearchAttributes,
      log: { format: 'pretty', level: 'error' },
    },
  });
  infra.temporal = env;
  process.env.TEMPORAL_ADDRESS = env.address;
  process.env.TEMPORAL_NAMESPACE = 'default';

  const bundle = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietLogger });
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;

  (globalThis as { __creatorTrackerInfra?: TestInfra }).__creatorTrackerInfra = infra;
  process.stdout.write(`\ntest infrastructure ready in ${Date.now() - started} ms\n`);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
