import type { TemporalConnectionOptions } from '../connection/temporal';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { auditLedger, liveTrackedEntities, type AuditScope, type Finding } from './audit';

const TRACKING_TYPES = ['creatorTrackingWorkflow', 'videoTrackingWorkflow'];
/**
 * A workflow starts before its read-model row exists (registration is its first activity) and a stopped row is
 * written just before its workflow returns: both windows last well under this.
 */
const SETTLE_MS = 60_000;

/**
 * Creators and videos whose read model and Temporal disagree: active or paused without a running workflow, or a
 * running tracking workflow whose row is stopped or missing. Visibility only nominates suspects (it can lag); each
 * is confirmed with a describe before it counts.
 */
export async function workflowDisagreements(db: Pool, client: Client, scope: AuditScope = {}): Promise<Finding[]> {
  // team ids go into a visibility query, which has no parameters
  const bad = scope.teamIds?.find((t) => !/^[0-9a-f-]{36}$/i.test(t));
  if (bad) throw new Error(`not a team id: ${bad}`);
  const entities = await liveTrackedEntities(db, scope);
  const byWorkflowId = new Map(entities.map((e) => [`${e.resource_type}:${e.id}`, e]));
  const teamFilter = scope.teamIds ? ` AND TeamId IN (${scope.teamIds.map((t) => `'${t}'`).join(', ')})` : '';
  const running = new Map<string, Date>();
  for await (const wf of client.workflow.list({
    query: `ExecutionStatus = 'Running' AND WorkflowType IN (${TRACKING_TYPES.map((t) => `'${t}'`).join(', ')})${teamFilter}`,
  })) {
    running.set(wf.workflowId, wf.startTime);
  }
  const isRunning = async (workflowId: string): Promise<boolean> => {
    try {
      return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const findings: Finding[] = [];
  const settled = (at: Date) => Date.now() - at.getTime() > SETTLE_MS;
  for (const [workflowId, entity] of byWorkflowId) {
    const live = entity.status === 'active' || entity.status === 'paused';
    if (live === running.has(workflowId) || !settled(entity.updated_at)) continue;
    // a stop is written at once while the workflow finishes the cycle it is running
    if (!live && entity.cycle_in_progress !== null) continue;
    // a stopped creator's workflow waits for its running paid jobs before it closes
    if (!live && entity.job_running) continue;
    if ((await isRunning(workflowId)) === live) continue;
    findings.push({
      check: 'workflow_disagreement',
      teamId: entity.team_id,
      subject: workflowId,
      detail: live ? `${entity.status} in the read model but its workflow is not running` : 'stopped but still running',
    });
  }
  for (const [workflowId, startedAt] of running) {
    if (byWorkflowId.has(workflowId) || !settled(startedAt)) continue;
    // a team filter on visibility matched it, so it belongs in scope: its row is missing, not elsewhere
    if (!(await isRunning(workflowId))) continue;
    findings.push({
      check: 'workflow_disagreement',
      teamId: null,
      subject: workflowId,
      detail: 'running but the read model has no row for it',
    });
  }
  return findings;
}

/**
 * Connects to Temporal with the same settings as the worker (TLS, API key) for the workflow check, or answers
 * undefined when nothing answers there (the check is optional: the ledger checks need only Postgres).
 */
export async function connectForAudit(
  options: TemporalConnectionOptions,
  namespace = 'default',
): Promise<Client | undefined> {
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: 3_000 });
    await connection.workflowService.getSystemInfo({});
    return new Client({ connection, namespace });
  } catch {
    return undefined;
  }
}

/** The ledger checks and, with a client, the workflow check: everything `npm run admin -- audit` reports. */
export async function fullAudit(
  db: Pool,
  client: Client | undefined,
  scope: AuditScope = {},
): Promise<{ findings: Finding[]; workflowsChecked: boolean }> {
  const findings = await auditLedger(db, scope);
  if (client) findings.push(...(await workflowDisagreements(db, client, scope)));
  return { findings, workflowsChecked: client !== undefined };
}

export const formatFinding = (f: Finding): string =>
  `${f.check}\t${f.subject}\t${f.detail}${f.teamId ? `\tteam ${f.teamId}` : ''}`;
