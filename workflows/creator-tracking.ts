import { CYCLE_COST } from '../domain/costs';
import type { TrackingState, TrackingView } from './messages';
import { bookkeeping, platform } from './activity-options';
import { installCreatorJobs } from './creator-jobs';
import { runTracking } from './tracked-entity';

/**
 * One tracked creator (`creator:<uuid>`): a cycle on its cadence — reserve 25 credits, read metrics and recent posts,
 * write a report, flag outliers, capture — until stopped. The loop, messages and bookkeeping are shared with videos;
 * post collections and audience refreshes are child workflows it starts (see creator-jobs.ts).
 */
export async function creatorTrackingWorkflow(state: TrackingState): Promise<TrackingView> {
  const ids = { id: state.id, teamId: state.teamId, platform: state.platform, handle: state.handle };
  const jobs = installCreatorJobs(state);
  return runTracking(state, {
    register: (s, reservationKey) => {
      const initial = s.jobs?.initialCollection;
      return bookkeeping.registerCreator({
        ...ids,
        cadence: s.cadence,
        amountCents: CYCLE_COST,
        reservationKey,
        startedAt: new Date().toISOString(),
        ...(initial ? { initialCollection: initial } : {}),
      });
    },
    runCycle: async (ctx) => {
      const input = { ...ids, cycle: ctx.cycle, cycleAt: ctx.cycleAt };
      try {
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
      } finally {
        // a collection asked for at POST follows the initial cycle, whatever that cycle's outcome
        await jobs.startInitialCollection();
      }
    },
    idle: jobs.idle,
  });
}
