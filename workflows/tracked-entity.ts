import {
  log,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { localBookkeeping } from './activity-options';
import { cadenceLabel } from '../domain/cadence';
import { CYCLE_COST } from '../domain/costs';
import { failureOf } from './failures';
import type { Platform } from '../domain/platform';
import {
  HandleAttr,
  legacyTrackingSearchAttributes,
  NextScrapeAtAttr,
  PauseReasonAttr,
  PlatformAttr,
  ScrapeCadenceAttr,
  TeamIdAttr,
  TrackingStatusAttr,
  trackingAttributeUpdates,
  VideoIdAttr,
} from '../domain/search-attributes';
import {
  patchTrackingUpdate,
  pauseSignal,
  registrationUpdate,
  resumeSignal,
  runCycleUpdate,
  stateQuery,
  stopTrackingUpdate,
  type CycleStart,
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

/** How operators find and recognise the entity in the Temporal UI. */
export interface EntityLabels {
  /** the one line the start gave as static summary, without the cadence (`tiktok @khaby.lame`) */
  summary: string;
  /** the `Handle` attribute: a creator's handle, a video's creator's handle, or null */
  handle: string | null;
  /** the `VideoId` attribute, on videos */
  videoId?: string;
}

/** From this patch on, tracking workflows keep the operator attributes current and show a summary in their details. */
export const OPERATOR_ATTRIBUTES_PATCH = 'operator-attributes';
/** From this patch on, a cancelled tracking workflow stops its entity and completes instead of ending cancelled. */
export const CANCELLATION_STOPS_PATCH = 'cancellation-stops';
/**
 * From this patch on, a run waiting to continue as new goes round again when a cycle becomes due (the run-cycle Update,
 * which waits for its cycle to begin, or a resume), instead of waiting for handlers that wait for it.
 */
export const DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH = 'due-cycle-before-continue-as-new';

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
  labels: EntityLabels,
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
  // runs started before the operator attributes keep upserting the five they did, so their histories replay
  const operatorAttributes = patched(OPERATOR_ATTRIBUTES_PATCH);
  const attributeValues = () => {
    const s = machine.state;
    return {
      teamId: entity.teamId,
      platform: entity.platform,
      handle: labels.handle,
      ...(labels.videoId !== undefined ? { videoId: labels.videoId } : {}),
      status: s.status,
      cadence: s.cadence,
      pauseReason: s.status === 'paused' ? s.pauseReason : null,
      nextScrapeAt: s.nextScrapeAt,
    };
  };
  const attributeKey = (): string => {
    const v = attributeValues();
    return operatorAttributes
      ? JSON.stringify([v.handle, v.videoId ?? null, v.status, v.cadence, v.pauseReason, v.nextScrapeAt])
      : `${v.status}|${v.cadence}`;
  };
  const attributes = workflowInfo().typedSearchAttributes;
  const startedWith = (): string => {
    const at = attributes.get(NextScrapeAtAttr);
    return operatorAttributes
      ? JSON.stringify([
          attributes.get(HandleAttr) ?? null,
          attributes.get(VideoIdAttr) ?? null,
          attributes.get(TrackingStatusAttr),
          attributes.get(ScrapeCadenceAttr),
          attributes.get(PauseReasonAttr) ?? null,
          at ? at.toISOString() : null,
        ])
      : `${attributes.get(TrackingStatusAttr)}|${attributes.get(ScrapeCadenceAttr)}`;
  };
  let published =
    attributes.get(TeamIdAttr) === entity.teamId && attributes.get(PlatformAttr) === entity.platform
      ? startedWith()
      : '';
  const show = (): void => {
    const key = attributeKey();
    if (key !== published) {
      published = key;
      upsertSearchAttributes(
        operatorAttributes
          ? trackingAttributeUpdates(attributeValues())
          : legacyTrackingSearchAttributes({ ...entity, ...machine.state }),
      );
    }
    setCurrentDetails(
      machine.describe(operatorAttributes ? `${labels.summary} · ${cadenceLabel(machine.state.cadence)}` : undefined),
    );
  };

  // ---- messages: change state, then (Updates) wait until it is written, so the caller reads its own write --------
  // before registration the row does not exist yet: registration writes the state as it is then
  const untilWritten = () => condition(() => registration !== undefined && !dirty());
  setHandler(stateQuery, view);
  setHandler(registrationUpdate, async () => {
    await condition(() => registration !== undefined);
    return registration as RegistrationResult;
  });
  setHandler(
    pauseSignal,
    (note) => {
      // a run from before the note was kept ignored it (and wrote nothing more for it)
      machine.pause(new Date(), operatorAttributes ? note : undefined);
      show();
    },
    { description: 'Pause tracking; the optional argument, a string, is kept as the reason beside `manual`' },
  );
  setHandler(
    resumeSignal,
    () => {
      machine.resume(new Date());
      show();
    },
    { description: 'Resume a paused entity (any pause reason); the failure count starts again' },
  );
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
    { validator: () => throwIf(machine.rejectStop()), description: 'Stop tracking, as DELETE does' },
  );

  // ---- cycles -------------------------------------------------------------------------------------------------------
  /** cycles begun by this run, and the cycle the last of them was */
  let begun = 0;
  let lastBegun: CycleStart | undefined;
  /** the cycle running now, if any: a cancellation settles it */
  let inFlight: Cycle | undefined;
  const begin = (): Cycle => {
    const ticket = machine.beginCycle(new Date());
    begun += 1;
    lastBegun = { cycle: ticket.cycle, startedAt: ticket.cycleAt };
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

  setHandler(
    runCycleUpdate,
    async () => {
      const mine = begun + 1;
      machine.requestCycle();
      await condition(() => begun >= mine || machine.stopped);
      if (begun < mine) throw ApplicationFailure.create({ type: 'stopped', message: 'tracking has been stopped' });
      return lastBegun as CycleStart;
    },
    {
      validator: () => throwIf(machine.rejectCycleNow()),
      description:
        'Run a cycle now (25 credits, as any cycle), even while paused; the schedule continues from it. No argument.',
    },
  );

  const failCycle = (cycle: Cycle, failure: { kind: string; message: string }) =>
    persist(
      () => machine.record(),
      (record) => localBookkeeping.failCycle({ ...entity, ...cycle.ledger, cycle: cycle.cycle, failure, record }),
    );

  const runCycle = async (cycle: Cycle): Promise<void> => {
    let cancelled = false;
    inFlight = cycle;
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
      if (isCancellation(err)) {
        // settled by the stop that follows, with the cycle still in flight (a run from before that stop, replayed,
        // goes on as it did then)
        cancelled = patched(CANCELLATION_STOPS_PATCH);
        throw err;
      }
      machine.failed(cycle, new Date());
      log.warn(`cycle ${cycle.cycle} failed`, { cycle: cycle.cycle, platform: entity.platform, err });
      await failCycle(cycle, failureOf(err));
    } finally {
      if (!cancelled) {
        inFlight = undefined;
        show();
        await spec.afterCycle?.();
      }
    }
  };

  const track = async (): Promise<TrackingView> => {
    show();
    const writer = keepWritten();
    // a cancellation reaches the writer too; the stop that follows writes in its place
    writer.catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
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
        // A cycle due meanwhile (the run-cycle Update asked for it and waits for it to begin, or a resume made it due)
        // sends the loop round to run it in this run; waiting on would leave that Update unfinished and the run never
        // settled. The patch is decided inside the predicate, only when nothing else would end the wait, so runs that
        // never meet this wake-up record no marker. That is replay-safe: the same history brings the same state to the
        // same activation. A history from before the patch has no marker there and `patched` is false while replaying
        // it, so the run waits as it did; one from after has the marker among that activation's commands, so `patched`
        // is true. A run stuck here under the older code is freed by its first workflow task run live on this code
        // (any message), which records the marker then.
        const cycleDue = (): boolean => machine.isDue(new Date()) && patched(DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH);
        await condition(() => settled() || !idle() || cycleDue());
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
  };

  /**
   * Cancellation (the Temporal UI's Request Cancellation) is a stop: the children, started in this workflow's scope,
   * are cancelled with it and refund through their own sagas; here, out of reach of the cancellation, the cycle in
   * flight is refunded and ended, a collection not yet started is refunded, and the stop is written (with its
   * `tracking.stopped` event) before the workflow completes. Before registration there is nothing of ours to settle:
   * the workflow ends cancelled and the reconciler settles whatever the registration left.
   */
  const stopCancelled = async (): Promise<TrackingView> => {
    const cycle = inFlight;
    inFlight = undefined;
    machine.cancelled();
    show();
    if (cycle) await failCycle(cycle, { kind: 'cancelled', message: 'tracking was cancelled while the cycle ran' });
    await spec.afterCycle?.();
    await spec.close?.();
    closing = true;
    await keepWritten();
    return view();
  };

  try {
    return await track();
  } catch (err) {
    if (!isCancellation(err) || !machine.state.registered || !patched(CANCELLATION_STOPS_PATCH)) throw err;
    return await CancellationScope.nonCancellable(stopCancelled);
  }
}

function throwIf(reason: string | undefined): void {
  if (reason) throw new Error(reason);
}
