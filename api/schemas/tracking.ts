import { z } from 'zod';
import type { LifecycleColumns } from '../../db/tracked';
import { iso } from '../../domain/time';
import type { PauseReason, TrackingStatus } from '../../workflows/messages';
import { STOP_REASONS } from '../../workflows/tracking-machine';

/** What tracked creators and videos share in their answers: lifecycle, pause reason, failures, pending cycle. */

/**
 * A component (a schema with a `.meta({ id })`) or null. zod-to-openapi 9 renders `.nullable()` of a component as
 * `allOf: [$ref, …]`, which refuses null, or, when that is the component's first use, makes the component itself
 * nullable for every other use; a union is rendered `anyOf: [$ref, {type: null}]`. Same output type.
 */
export const orNull = <S extends z.ZodType>(component: S) => z.union([component, z.null()]);

export const trackingStatusSchema = z.enum(['active', 'paused', 'stopped']);
export const enrichmentStatusSchema = z
  .enum(['pending', 'ready', 'failed'])
  .describe('pending until the first cycle completes; failed when the first cycle failed');
export const pauseReasonSchema = z.enum(['manual', 'consecutive_failures', 'insufficient_credits']);
export const pauseNoteSchema = z
  .string()
  .nullable()
  .describe('the text an operator gave with a manual pause from the Temporal UI; null otherwise');
export const stopReasonSchema = z
  .enum(STOP_REASONS)
  .nullable()
  .describe(
    'why tracking stopped: requested (DELETE), cancelled (from the Temporal UI), or terminated, timed_out or failed ' +
      '(the workflow closed without stopping, found by the worker); null while tracking and on rows stopped earlier',
  );

/** `last_failure`: the typed failure of the latest failed cycle, cleared by the next completed one. */
export const cycleFailureSchema = z
  .object({
    kind: z.string().describe('blocked, private, deleted, rate_limited, empty, unavailable, misconfigured, ...'),
    message: z.string(),
    cycle: z.number().int(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'CycleFailure' });

/** The cycle record a tracked creator's or video's detail shows, in this order. */
export const cycleRecordShape = {
  cycles_completed: z.number().int(),
  cycles_failed: z.number().int(),
  consecutive_failures: z.number().int().describe('three in a row pause tracking (`consecutive_failures`)'),
  last_failure: orNull(cycleFailureSchema),
  last_scraped_at: z.iso.datetime().nullable(),
  next_scrape_at: z.iso.datetime().nullable().describe('null while paused or stopped'),
};

export interface CycleRecordColumns {
  cycles_completed: number;
  cycles_failed: number;
  consecutive_failures: number;
  last_failure: { kind: string; message: string; cycle: number; at: string } | null;
  last_scraped_at: Date | null;
  next_scrape_at: Date | null;
}

export function cycleRecord(row: CycleRecordColumns): z.output<z.ZodObject<typeof cycleRecordShape>> {
  return {
    cycles_completed: row.cycles_completed,
    cycles_failed: row.cycles_failed,
    consecutive_failures: row.consecutive_failures,
    last_failure: row.last_failure,
    last_scraped_at: iso(row.last_scraped_at),
    next_scrape_at: iso(row.next_scrape_at),
  };
}

export const trackingPendingJobSchema = z
  .object({
    type: z.literal('tracking_report'),
    status: z.enum(['pending', 'processing']).describe('pending: the first cycle is queued; processing: a cycle runs'),
    poll_url: z.string(),
    result_path: z.literal('data'),
    webhook_event: z.literal('tracking.cycle.completed'),
    started_at: z.iso.datetime().optional().describe('when the running cycle started'),
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'TrackingPendingJob' });

/** `finalized` and `pending_jobs`, spread into a tracked item's answers. */
export const trackingJobsShape = {
  finalized: z.boolean().describe('true when no cycle is queued or running'),
  pending_jobs: z.array(trackingPendingJobSchema),
};
export const trackingJobsSchema = z.object(trackingJobsShape);

/** `finalized` and `pending_jobs` (seed 004): a cycle queued or running is the one secondary job a tracked item has. */
export function trackingJobs(row: LifecycleColumns, pollUrl: string): z.output<typeof trackingJobsSchema> {
  const queued = row.status !== 'stopped' && row.enrichment_status === 'pending' && row.cycle_in_progress === null;
  if (row.cycle_in_progress === null && !queued) return { finalized: true, pending_jobs: [] };
  return {
    finalized: false,
    pending_jobs: [
      {
        type: 'tracking_report',
        status: row.cycle_in_progress === null ? 'pending' : 'processing',
        poll_url: pollUrl,
        result_path: 'data',
        webhook_event: 'tracking.cycle.completed',
        ...(row.cycle_started_at ? { started_at: row.cycle_started_at.toISOString() } : {}),
        retry_after_seconds: row.cycle_in_progress === null ? 5 : 2,
      },
    ],
  };
}

// compile-time: the enums above and the workflow's own types may not drift apart
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _statusMatches: Same<z.output<typeof trackingStatusSchema>, TrackingStatus> = true;
const _pauseReasonMatches: Same<z.output<typeof pauseReasonSchema>, PauseReason> = true;
const _enrichmentMatches: Same<z.output<typeof enrichmentStatusSchema>, LifecycleColumns['enrichment_status']> = true;
