import { rmSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dropDatabase, type PrivateCluster } from '../scripts/postgres';

export interface TestInfra {
  scratch: string;
  cluster?: PrivateCluster;
  borrowedDatabase?: { adminUrl: string; database: string };
  temporal?: TestWorkflowEnvironment;
}

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __creatorTrackerInfra?: TestInfra }).__creatorTrackerInfra;
  if (!infra) return;
  await infra.temporal?.teardown();
  infra.cluster?.stop();
  if (infra.borrowedDatabase) await dropDatabase(infra.borrowedDatabase.adminUrl, infra.borrowedDatabase.database);
  rmSync(infra.scratch, { recursive: true, force: true });
}
