import { continueAsNew } from '@temporalio/workflow';
import type { CreatorTrackingInput, TrackingView } from './messages';
import { localBookkeeping, platform } from './activity-options';
import { installCreatorJobs } from './creator-jobs';
import { jobKeys, jobWorkflowId } from './paid-jobs';
import { COLLECTION_COSTS } from '../domain/costs';
import { runTracking, type TrackedEntity } from './tracked-entity';
import { TrackingMachine, initialTracking } from './tracking-machine';

/**
 * One tracked creator (`creator:<uuid>`): a cycle on its cadence — metrics (reserving 25 credits first), report, and
 * the outlier check that captures and records the cycle — until stopped. The loop and its state machine are shared
 * with videos; post collections and audience refreshes are child workflows it starts and awaits (creator-jobs.ts).
 */
export async function creatorTrackingWorkflow(input: CreatorTrackingInput): Promise<TrackingView> {
  const entity: TrackedEntity = {
    resourceType: 'creator',
    id: input.id,
    teamId: input.teamId,
    platform: input.platform,
    handle: input.handle,
  };
  const machine = new TrackingMachine(input.carried?.tracking ?? initialTracking(input.cadence));
  const initial = input.initialCollection ?? null;
  const jobs = installCreatorJobs(
    entity,
    input.carried?.jobs ?? {
      // the initial collection holds the slot from the start: a request before it runs is refused, not run twice
      collection: initial ? { id: initial.id, reservation: null } : null,
      audience: null,
      initialCollection: initial,
    },
    () => machine.stopped,
  );
  const ids = { id: entity.id, teamId: entity.teamId, platform: entity.platform, handle: entity.handle };
  return runTracking(
    entity,
    { summary: `${entity.platform} @${entity.handle}`, handle: entity.handle },
    machine,
    {
      register: (cycle, record) =>
        localBookkeeping.registerCreator({
          ...ids,
          ...cycle.ledger,
          record,
          ...(initial
            ? {
                initialCollection: {
                  ...initial,
                  amountCents: COLLECTION_COSTS[initial.depth],
                  reservationKey: jobKeys(jobWorkflowId('post_collection', initial.id)).reservationKey,
                },
              }
            : {}),
        }),
      measure: async (cycle) => {
        const ref = { ...ids, cycle: cycle.cycle, cycleAt: cycle.cycleAt };
        const metrics = await platform.collectCreatorMetrics({ ...ref, ...cycle.ledger });
        if (!metrics.reserved) return { refused: true };
        const { snapshot } = metrics;
        await platform.generateCreatorReport({ ...ref, snapshot });
        return {
          refused: false,
          complete: (record) =>
            localBookkeeping.detectOutliersAndComplete({
              ...ref,
              ...cycle.ledger,
              snapshot,
              record,
            }),
        };
      },
      // a collection asked for at POST follows the initial cycle, whatever that cycle's outcome
      afterCycle: jobs.startInitialCollection,
      idle: jobs.idle,
      close: jobs.closed,
      continueAsNew: (tracking, writes) =>
        continueAsNew<typeof creatorTrackingWorkflow>({ ...input, carried: { tracking, writes, jobs: jobs.state } }),
    },
    input.carried?.writes,
  );
}
