import {
  log,
  allHandlersFinished,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { localBookkeeping } from './activity-options';
import { CYCLE_COST } from '../domain/costs';
import { failureOf } from './failures';
import type { Platform } from '../domain/platform';
import { ScrapeCadenceAttr, TrackingStatusAttr, trackingSearchAttributes } from '../domain/search-attributes';
import {
  patchTrackingUpdate,
  pauseSignal,
  registrationUpdate,
  resumeSignal,
  stateQuery,
  stopTrackingUpdate,
  type RegistrationResult,
  type TrackingView,
} from './messages';
import type {
  CycleTicket,
  TrackedResourceType,
  TrackingMachine,
  TrackingRecord,
  TrackingState,
} from './tracking-machine';

export const MAX_CYCLES_PER_RUN = 100;

/** Who is tracked: what every bookkeeping step names. `handle` is a creator's handle or a video's platform id. */
export interface TrackedEntity {
  resourceType: TrackedResourceType;
  id: string;
  teamId: string;
  platform: Platform;
  handle: string;
}

/** What every step of a cycle passes to reserve, capture or refund its credits. */
export interface CycleLedger {
  amountCents: number;
  reservationKey: string;
  captureKey: string;
  refundKey: string;
  /** when the cycle started: its reservation's and its failure's time */
  startedAt: string;
}

/** A begun cycle with its ledger keys. */
export interface Cycle extends CycleTicket {
  ledger: CycleLedger;
}

/**
 * What a cycle's measuring steps (metrics, which reserves first, and the report) leave: a refusal when the balance
 * could not pay (nothing was called), or the last step, which captures and records the cycle with the state's record.
 */
export type Measured =
  | { refused: true }
  | { refused: false; adaptiveIntervalMs?: number; complete(record: WrittenRecord): Promise<unknown> };

/** A record as written: with the writer's sequence number, so a late attempt of an older write changes nothing. */
export type WrittenRecord = TrackingRecord & { sequence: number };

/** What differs between tracked creators and tracked videos. */
export interface TrackingSpec {
  /** the first cycle's reservation together with the read-model row */
  register(cycle: Cycle, record: WrittenRecord): Promise<RegistrationResult>;
  measure(cycle: Cycle, state: Readonly<TrackingState>): Promise<Measured>;
  /** after every cycle, whatever its outcome */
  afterCycle?(): Promise<void>;
  /** false while the workflow watches work a new run could not (child jobs it started): continue-as-new waits */
  idle?(): boolean;
  /** before the workflow returns: waits for the work it watches */
  close?(): Promise<void>;
  /** `writes`: the writer's sequence so far, carried so the new run's writes stay newer */
  continueAsNew(state: TrackingState, writes: number): Promise<never>;
}

/**
 * The loop shared by creator and video tracking: register with the first cycle, then cycle on the cadence and sleep,
 * continuing as new before history grows large. Messages only change the machine's state; one writer persists it —
 * the record is written whenever it differs from what was written last, one write at a time (a cycle's last step
 * writes it too, under the same turn), so no write can overtake a newer one.
 */
export async function runTracking(
  entity: TrackedEntity,
  machine: TrackingMachine,
  spec: TrackingSpec,
  writesSoFar = 0,
): Promise<TrackingView> {
  const workflowId = workflowInfo().workflowId;
  let registration: RegistrationResult | undefined = machine.state.registered ? { registered: true } : undefined;
  const view = (): TrackingView => ({
    id: entity.id,
    resourceType: entity.resourceType,
    platform: entity.platform,
    ...machine.view(),
  });

  // ---- the one writer ---------------------------------------------------------------------------------------------
  const recordKey = (record: TrackingRecord): string => JSON.stringify(record);
  let written = machine.state.registered ? recordKey(machine.record()) : '';
  let writes = writesSoFar;
  let writing = false;
  let closing = false;
  const dirty = (): boolean => machine.state.registered && recordKey(machine.record()) !== written;
  /** Writes a record computed when this write's turn comes, so it is the newest state at that moment. */
  const persist = async <T>(recordOf: () => TrackingRecord, write: (record: WrittenRecord) => Promise<T>) => {
    // the flag is taken in the same microtask the loop sees it free, so two writers never both pass
    while (writing) await condition(() => !writing);
    writing = true;
    try {
      const record = recordOf();
      writes += 1;
      const result = await write({ ...record, sequence: writes });
      written = recordKey(record);
      return result;
    } finally {
      writing = false;
    }
  };
  const keepWritten = async (): Promise<void> => {
    for (;;) {
      await condition(() => !writing && (dirty() || closing));
      if (!dirty()) return;
      await persist(
        () => machine.record(),
        (record) => localBookkeeping.saveTrackingState({ ...entity, record }),
      );
    }
  };

  // ---- what operators see: search attributes (an event each, so only on change) and the UI's details -------------
  let published = '';
  const attributes = workflowInfo().typedSearchAttributes;
  if (
    attributes.get(TrackingStatusAttr) === machine.state.status &&
    attributes.get(ScrapeCadenceAttr) === machine.state.cadence
  ) {
    published = `${machine.state.status}|${machine.state.cadence}`;
  }
  const show = (): void => {
    const values = `${machine.state.status}|${machine.state.cadence}`;
    if (values !== published) {
      published = values;
      upsertSearchAttributes(trackingSearchAttributes({ ...entity, ...machine.state }));
    }
    setCurrentDetails(machine.describe());
  };

  // ---- messages: change state, then (Updates) wait until it is written, so the caller reads its own write --------
  // before registration the row does not exist yet: registration writes the state as it is then
  const untilWritten = () => condition(() => registration !== undefined && !dirty());
  setHandler(stateQuery, view);
  setHandler(registrationUpdate, async () => {
    await condition(() => registration !== undefined);
    return registration as RegistrationResult;
  });
  setHandler(pauseSignal, () => {
    machine.pause(new Date());
    show();
  });
  setHandler(resumeSignal, () => {
    machine.resume(new Date());
    show();
  });
  setHandler(
    patchTrackingUpdate,
    async (patch) => {
      machine.patch(patch, new Date());
      show();
      await untilWritten();
      return view();
    },
    { validator: (patch) => throwIf(machine.rejectPatch(patch)) },
  );
  setHandler(
    stopTrackingUpdate,
    async () => {
      machine.stop();
      show();
      await untilWritten();
      return view();
    },
    { validator: () => throwIf(machine.rejectStop()) },
  );

  // ---- cycles -------------------------------------------------------------------------------------------------------
  const begin = (): Cycle => {
    const ticket = machine.beginCycle(new Date());
    show();
    const key = `${workflowId}:${ticket.cycle}`;
    const ledger: CycleLedger = {
      amountCents: CYCLE_COST,
      reservationKey: `${key}:reserve`,
      captureKey: `${key}:capture`,
      refundKey: `${key}:refund`,
      startedAt: ticket.cycleAt,
    };
    return { ...ticket, ledger };
  };

  const runCycle = async (cycle: Cycle): Promise<void> => {
    try {
      const measured = await spec.measure(cycle, machine.state);
      if (measured.refused) {
        machine.refused(cycle, new Date());
        return;
      }
      const at = new Date();
      const succeeded = () => machine.clone().succeeded(cycle, at, measured.adaptiveIntervalMs);
      await persist(() => succeeded().record(), measured.complete);
      machine.succeeded(cycle, at, measured.adaptiveIntervalMs);
      log.info(`cycle ${cycle.cycle} completed`, { cycle: cycle.cycle, platform: entity.platform });
    } catch (err) {
      if (isCancellation(err)) throw err;
      machine.failed(cycle, new Date());
      log.warn(`cycle ${cycle.cycle} failed`, { cycle: cycle.cycle, platform: entity.platform, err });
      await persist(
        () => machine.record(),
        (record) =>
          localBookkeeping.failCycle({
            ...entity,
            ...cycle.ledger,
            cycle: cycle.cycle,
            failure: failureOf(err),
            record,
          }),
      );
    } finally {
      show();
      await spec.afterCycle?.();
    }
  };

  show();
  const writer = keepWritten();
  if (!machine.state.registered) {
    // registration is the first cycle's reservation; that cycle then runs whatever arrived meanwhile
    const first = begin();
    registration = await persist(
      () => machine.record(),
      (record) => spec.register(first, record),
    );
    if (!registration.registered) {
      machine.registrationRefused();
      closing = true;
      await writer;
      return view();
    }
    machine.registered();
    await runCycle(first);
  }
  let cyclesThisRun = 0;
  while (!machine.stopped) {
    if (machine.isDue(new Date())) {
      await runCycle(begin());
      cyclesThisRun += 1;
    } else {
      const seen = machine.revision;
      const waitMs = machine.msUntilDue(new Date());
      if (waitMs === undefined) await condition(() => machine.revision !== seen);
      else await condition(() => machine.revision !== seen, waitMs);
    }
    const runLong = cyclesThisRun >= MAX_CYCLES_PER_RUN || workflowInfo().continueAsNewSuggested;
    const idle = (): boolean => spec.idle?.() ?? true;
    if (!machine.stopped && runLong && idle()) {
      // the new run starts from exactly the state written last, with no message half-handled and no job it could
      // not watch; a job started meanwhile sends the loop round again
      const settled = (): boolean => allHandlersFinished() && !writing && !dirty();
      await condition(() => settled() || !idle());
      if (!machine.stopped && idle() && settled()) return spec.continueAsNew(machine.state, writes);
    }
  }
  // handlers still running may be starting a job: they finish (a job they start is watched) before the jobs are
  // awaited, and the last state is written before the workflow returns
  await condition(allHandlersFinished);
  await spec.close?.();
  closing = true;
  await writer;
  await condition(allHandlersFinished);
  return view();
}

function throwIf(reason: string | undefined): void {
  if (reason) throw new Error(reason);
}
