import { continueAsNew } from '@temporalio/workflow';
import { nextAdaptiveIntervalMs } from '../domain/trajectory';
import type { TrackingView, VideoTrackingInput } from './messages';
import { localBookkeeping, platform } from './activity-options';
import { runTracking, type TrackedEntity } from './tracked-entity';
import { TrackingMachine, initialTracking } from './tracking-machine';

/**
 * One tracked video (`video:<uuid>`), on the same loop as creators: metrics and trajectory (reserving 25 credits
 * first), report, and the step that captures and records the cycle with its transitions (breakout, accelerating,
 * peaking). With the `adaptive` cadence the trajectory picks the next interval: fast while the video accelerates,
 * slower as it cools.
 */
export async function videoTrackingWorkflow(input: VideoTrackingInput): Promise<TrackingView> {
  const entity: TrackedEntity = {
    resourceType: 'video',
    id: input.id,
    teamId: input.teamId,
    platform: input.platform,
    handle: input.videoId,
  };
  const machine = new TrackingMachine(input.carried?.tracking ?? initialTracking(input.cadence));
  const ids = { id: input.id, teamId: input.teamId, platform: input.platform, platformVideoId: input.videoId };
  return runTracking(
    entity,
    { summary: `${entity.platform} video ${input.videoId}`, handle: input.authorHandle, videoId: input.videoId },
    machine,
    {
      register: (cycle, record) =>
        localBookkeeping.registerVideo({
          ...ids,
          url: input.url,
          authorHandle: input.authorHandle,
          trackingAccountId: input.creatorId,
          ...cycle.ledger,
          record,
        }),
      measure: async (cycle, state) => {
        const ref = { ...ids, cycle: cycle.cycle, cycleAt: cycle.cycleAt };
        const measured = await platform.collectVideoMetrics({ ...ref, ...cycle.ledger });
        if (!measured.reserved) return { refused: true };
        const { snapshot, trajectory, flags } = measured;
        await platform.generateVideoReport({ ...ref, snapshot });
        const adaptiveIntervalMs =
          state.cadence === 'adaptive' ? nextAdaptiveIntervalMs(trajectory, state.adaptiveIntervalMs) : undefined;
        return {
          refused: false,
          adaptiveIntervalMs,
          complete: (record) =>
            localBookkeeping.completeVideoCycle({
              ...ref,
              snapshot,
              trajectory,
              flags,
              ...cycle.ledger,
              adaptiveIntervalMs: adaptiveIntervalMs ?? null,
              record,
            }),
        };
      },
      continueAsNew: (tracking, writes) =>
        continueAsNew<typeof videoTrackingWorkflow>({ ...input, carried: { tracking, writes } }),
    },
    input.carried?.writes,
  );
}
