import { CYCLE_COST } from '../domain/costs';
import { nextAdaptiveIntervalMs } from '../domain/trajectory';
import type { TrackingState, TrackingView } from './messages';
import { bookkeeping, platform } from './activity-options';
import { runTracking } from './tracked-entity';

/**
 * One tracked video (`video:<uuid>`), on the same loop as creators: reserve 25 credits, read the video's metrics and
 * trajectory, write a report, capture and record transitions (breakout, accelerating, peaking). With the `adaptive`
 * cadence the trajectory picks the next interval: fast while the video accelerates, slower as it cools.
 */
export async function videoTrackingWorkflow(state: TrackingState): Promise<TrackingView> {
  const ids = { id: state.id, teamId: state.teamId, platform: state.platform, platformVideoId: state.handle };
  return runTracking(state, {
    register: (s, reservationKey) =>
      bookkeeping.registerVideo({
        ...ids,
        url: s.registration?.url ?? '',
        authorHandle: s.registration?.authorHandle ?? null,
        trackingAccountId: s.registration?.trackingAccountId ?? null,
        cadence: s.cadence,
        amountCents: CYCLE_COST,
        reservationKey,
        startedAt: new Date().toISOString(),
      }),
    runCycle: async (ctx) => {
      const input = { ...ids, cycle: ctx.cycle, cycleAt: ctx.cycleAt };
      const measured = await platform.collectVideoMetrics(input);
      await platform.generateVideoReport({ ...input, snapshot: measured.snapshot });
      const adaptiveIntervalMs =
        ctx.state.cadence === 'adaptive'
          ? nextAdaptiveIntervalMs(measured.trajectory, ctx.state.adaptiveIntervalMs ?? null)
          : undefined;
      await bookkeeping.completeVideoCycle({
        ...input,
        ...measured,
        reservationKey: ctx.reservationKey,
        captureKey: ctx.captureKey,
        nextScrapeAt: ctx.nextScrapeAt(adaptiveIntervalMs),
        adaptiveIntervalMs: adaptiveIntervalMs ?? null,
        version: ctx.state.version,
      });
      return { adaptiveIntervalMs };
    },
  });
}
