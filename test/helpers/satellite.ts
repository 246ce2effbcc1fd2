import { EVENT_DATA } from '../../api/schemas/events';
import { satelliteRunPath, satelliteStatusPath } from '../../api/schemas/satellite';
import type { SatelliteType } from '../../workflows/satellite';
import type { apiClient } from './http';
import { eventually } from './http';
import type { Stack } from './stack';
import { ledgerOf } from './teams';

type Api = ReturnType<typeof apiClient>;

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** What the satellite suites read back: a job's end by polling, its ledger rows and its checked events. */
export function satelliteKit(suite: { readonly stack: Stack }, type: SatelliteType) {
  const statusPath = (jobId: string) => satelliteStatusPath(type, jobId);
  return {
    statusPath,

    /** Polls the status fast (tests need no 2-second pauses) until the job leaves `processing`. */
    untilEnded: (api: Api, jobId: string, timeoutMs = 60_000) =>
      eventually(
        `satellite job ${jobId}`,
        async () => {
          const res = await api.get(statusPath(jobId));
          if (res.status !== 200) throw new Error(`${statusPath(jobId)} answered ${res.status}`);
          return res.body.data.status === 'processing' ? undefined : res.body.data;
        },
        timeoutMs,
      ),

    /** The team's satellite ledger rows as [kind, amount, key]. */
    satelliteLedger: async (teamId: string) =>
      (await ledgerOf(suite.stack.pool, teamId)).entries
        .filter((e) => e.idempotency_key.startsWith('satellite:'))
        .map((e) => [e.kind, e.amount_cents, e.idempotency_key]),

    /** The job's `satellite.lookup.completed` rows, each checked against the schema the document publishes. */
    async eventsOf(jobId: string) {
      const rows = (
        await suite.stack.pool.query<{ type: 'satellite.lookup.completed'; resource_type: string; data: any }>(
          `SELECT type, resource_type, data FROM events WHERE resource_id = $1 ORDER BY created_at`,
          [jobId],
        )
      ).rows;
      for (const row of rows) {
        const checked = EVENT_DATA[row.type].safeParse(row.data);
        if (!checked.success) throw new Error(`${row.type}: ${checked.error.message}`);
      }
      return rows;
    },

    /** The 202 of a job just started: its poll_url and the job itself as its one pending job (seed 004). */
    startedJob: (jobId: string, creditsReserved: number) => ({
      job_id: jobId,
      status: 'processing',
      credits_reserved: creditsReserved,
      credit_unit: 'cent',
      poll_url: statusPath(jobId),
      finalized: false,
      pending_jobs: [
        {
          type,
          status: 'processing',
          job_id: jobId,
          poll_url: statusPath(jobId),
          result_path: 'data.result',
          webhook_event: 'satellite.lookup.completed',
          started_at: expect.stringMatching(ISO),
          retry_after_seconds: 2,
        },
      ],
    }),

    /** A failed job's status, as every failure and its refund leave it. */
    failedStatus: (jobId: string, error: string) => ({
      job_id: jobId,
      status: 'failed',
      error,
      error_message: expect.any(String),
      credits_used: 0,
      credit_unit: 'cent',
      created_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      finalized: true,
      pending_jobs: [],
    }),

    /** The data of the event a completed job records. */
    completedEvent: (jobId: string, runId: string, creditsUsed: number) => ({
      type,
      job_id: jobId,
      platform: 'tiktok',
      url: statusPath(jobId),
      credit_unit: 'cent',
      status: 'completed',
      run_id: runId,
      run_url: satelliteRunPath(runId),
      error: null,
      error_message: null,
      credits_used: creditsUsed,
    }),
  };
}
