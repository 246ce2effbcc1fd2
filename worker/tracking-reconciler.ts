import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { Pool } from 'pg';
import { compensateJob } from '../activities/jobs';
import { stopClosedTracked } from '../activities/tracking';
import { activeJobs, type PaidJobKind } from '../db/jobs';
import { settledStoppedTracked } from '../db/tracked';
import { jobKeys, jobWorkflowId } from '../domain/job-keys';
import type { StopReason, TrackedResourceType } from '../workflows/messages';

export interface TrackingReconcilerOptions {
  pool: Pool;
  client: Client;
  /** the task queue this deployment's tracking workflows run on: only those are reconciled */
  taskQueue: string;
  /** how often to look; the first look is at start */
  intervalMs?: number;
  log?: (message: string, err?: unknown) => void;
}

/** How a closed execution ended, as the stop reason it gives. */
const REASONS: Partial<Record<WorkflowExecutionStatusName, StopReason>> = {
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

/** Closed executions whose rows are looked up together, before any is described. */
const BATCH = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Closed {
  workflowId: string;
  type: TrackedResourceType;
  id: string;
  reason: StopReason;
  closedAt?: Date;
}

/**
 * The executions that ended without stopping their entity: closed (not continued as new, which hands over to the next
 * run) while their `TrackingStatus` still says active or paused. A cancelled workflow stops itself, so one found here
 * was cancelled before it registered.
 */
export const unstoppedClosedQuery = (taskQueue: string): string =>
  `WorkflowType IN ("creatorTrackingWorkflow", "videoTrackingWorkflow") AND TaskQueue = "${taskQueue}" ` +
  `AND ExecutionStatus IN ("Terminated", "TimedOut", "Failed", "Canceled") AND TrackingStatus != "stopped"`;

/**
 * Notices tracking workflows that closed without running their stop (Terminate in the Temporal UI, a timeout, a
 * failure): their code runs no more, so this finds them through visibility and does what their stop would have done
 * — child jobs still running are cancelled (their sagas refund), jobs whose workflows are gone are compensated, every
 * cycle reservation left is refunded, and the row is written `stopped` with the reason (and its `tracking.stopped`
 * event). An execution whose workflow id runs again (a reset starts a new run) is left to that run. Each step is
 * idempotent and the row is locked while it is stopped, so several workers' reconcilers may run at once.
 *
 * A closed execution's search attribute never changes, so the query finds every one of them on every pass for the
 * namespace's whole retention. Their rows are read first, in one query a batch: an execution whose row is already
 * stopped with no job left to settle has nothing more to do (a stop is final) and costs no Temporal call.
 */
export class TrackingReconciler {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private readonly intervalMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly options: TrackingReconcilerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.log = options.log ?? ((message, err) => console.error(message, err ?? ''));
  }

  start(): void {
    const tick = () => {
      this.pass = this.reconcile()
        .catch((err: unknown) => this.log('tracking reconciler pass failed; retrying at the next one', err))
        .finally(() => {
          if (this.pass !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    const pass = this.pass;
    this.pass = undefined;
    clearTimeout(this.timer);
    await pass;
  }

  /** One pass; answers the entities it stopped, as `creator:<id>` / `video:<id>`. */
  async reconcile(): Promise<string[]> {
    const stopped: string[] = [];
    let batch: Closed[] = [];
    const query = unstoppedClosedQuery(this.options.taskQueue);
    for await (const execution of this.options.client.workflow.list({ query })) {
      const closed = closedOf(execution);
      if (!closed) continue;
      batch.push(closed);
      if (batch.length < BATCH) continue;
      stopped.push(...(await this.settle(batch)));
      batch = [];
    }
    stopped.push(...(await this.settle(batch)));
    return stopped;
  }

  /** Settles the executions whose rows still need it, one after the other. */
  private async settle(batch: readonly Closed[]): Promise<string[]> {
    const { pool } = this.options;
    const of = (type: TrackedResourceType) => batch.filter((c) => c.type === type).map((c) => c.id);
    const settled = await settledStoppedTracked(pool, { creators: of('creator'), videos: of('video') });
    const stopped: string[] = [];
    for (const { workflowId, type, id, reason, closedAt } of batch) {
      if (settled.has(`${type}:${id.toLowerCase()}`)) continue;
      // the workflow id's latest run: one still running (a reset) is left to it, and the time it closed is when the
      // cycles it leaves ended (the listed run may be an older one of a reset workflow)
      const latest = await this.latestRun(workflowId);
      if (latest?.running) continue;
      if (type === 'creator') await this.settleJobs(id);
      const ended = latest?.closedAt ?? closedAt;
      if (await stopClosedTracked(pool, { resourceType: type, id }, reason, ended)) stopped.push(workflowId);
    }
    return stopped;
  }

  /** Whether the workflow id's latest run is running, and when it closed if it has; undefined when none is kept. */
  private async latestRun(workflowId: string): Promise<{ running: boolean; closedAt?: Date } | undefined> {
    try {
      const description = await this.options.client.workflow.getHandle(workflowId).describe();
      return { running: description.status.name === 'RUNNING', closedAt: description.closeTime };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private async isRunning(workflowId: string): Promise<boolean> {
    return (await this.latestRun(workflowId))?.running ?? false;
  }

  /** The creator's unfinished jobs: cancelled while their workflow runs, compensated here once it is gone. */
  private async settleJobs(creatorId: string): Promise<void> {
    const { pool } = this.options;
    for (const kind of ['post_collection', 'audience_refresh'] as PaidJobKind[]) {
      for (const job of await activeJobs(pool, creatorId, kind)) {
        const workflowId = jobWorkflowId(kind, job.id);
        if (await this.isRunning(workflowId)) {
          await this.options.client.workflow.getHandle(workflowId).cancel();
          continue;
        }
        const keys = jobKeys(workflowId);
        await compensateJob(pool, {
          jobId: job.id,
          kind,
          teamId: job.team_id,
          creatorId,
          reservationKey: keys.reservationKey,
          settleKey: keys.refundKey,
          error: 'tracking_stopped',
          message: 'the creator’s tracking workflow closed before the job could finish',
        });
      }
    }
  }
}

/** A listed execution as a tracking workflow's that closed without stopping, or undefined when it is not one. */
function closedOf(execution: WorkflowExecutionInfo): Closed | undefined {
  const reason = REASONS[execution.status.name];
  const [type, id] = execution.workflowId.split(':') as [TrackedResourceType, string | undefined];
  if (!reason || !id || !UUID.test(id) || (type !== 'creator' && type !== 'video')) return undefined;
  return { workflowId: execution.workflowId, type, id, reason, closedAt: execution.closeTime };
}
