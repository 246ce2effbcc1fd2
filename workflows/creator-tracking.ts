import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { CYCLE_COST } from '../domain/costs';
import { PROVIDER_FAILURES } from '../domain/platform';
import type { TrackingState, TrackingView } from './messages';
import { runTracking } from './tracked-entity';

type Activities = ReturnType<typeof createActivities>;

// steps that read the platform: a few quick retries, then the cycle fails with the provider's typed reason
const platform = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumAttempts: 3,
    nonRetryableErrorTypes: PROVIDER_FAILURES.filter((kind) => kind !== 'rate_limited' && kind !== 'unavailable'),
  },
});

// bookkeeping in Postgres: idempotent, so retried until the database answers
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One tracked creator (`creator:<uuid>`): a cycle on its cadence — reserve 25 credits, read metrics and recent posts,
 * write a report, flag outliers, capture — until stopped. The loop, messages and bookkeeping are shared with videos.
 */
export async function creatorTrackingWorkflow(state: TrackingState): Promise<TrackingView> {
  const ids = { id: state.id, teamId: state.teamId, platform: state.platform, handle: state.handle };
  return runTracking(state, {
    register: (s, reservationKey) =>
      bookkeeping.registerCreator({
        ...ids,
        cadence: s.cadence,
        amountCents: CYCLE_COST,
        reservationKey,
        startedAt: new Date().toISOString(),
      }),
    runCycle: async (ctx) => {
      const input = { ...ids, cycle: ctx.cycle, cycleAt: ctx.cycleAt };
      const snapshot = await platform.collectCreatorMetrics(input);
      await platform.generateCreatorReport({ ...input, snapshot });
      await bookkeeping.detectCreatorOutliers(input);
      await bookkeeping.completeCreatorCycle({
        ...input,
        snapshot,
        reservationKey: ctx.reservationKey,
        captureKey: ctx.captureKey,
        nextScrapeAt: ctx.nextScrapeAt,
        version: ctx.state.version,
      });
    },
  });
}
