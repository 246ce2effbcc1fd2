import { CYCLE_COST } from '../domain/costs';
import type { TrackingState, TrackingView } from './messages';
import { bookkeeping, platform } from './activity-options';
import { runTracking } from './tracked-entity';

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
        nextScrapeAt: ctx.nextScrapeAt(),
        version: ctx.state.version,
      });
    },
  });
}
