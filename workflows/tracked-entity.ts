import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { bookkeeping } from './activity-options';
import { cadenceLabel, cadenceMs, isTrackingCadence, nextRunAt } from '../domain/cadence';
import { ADAPTIVE_BOUNDS } from '../domain/trajectory';
import { isFailureKind } from '../domain/failures';
import { CYCLE_COST } from '../domain/costs';
import { ScrapeCadenceAttr, TrackingStatusAttr, trackingSearchAttributes } from '../domain/search-attributes';
import {
  patchTrackingUpdate,
  pauseSignal,
  registrationUpdate,
  resumeSignal,
  stateQuery,
  stopTrackingUpdate,
  type PauseReason,
  type RegistrationResult,
  type TrackingState,
  type TrackingView,
} from './messages';

export interface CycleContext {
  state: Readonly<TrackingState>;
  cycle: number;
  /** workflow time the cycle started: the snapshot's time */
  cycleAt: string;
  /** when the next cycle will run if this one completes and nothing changes; an adaptive cycle passes its interval */
  nextScrapeAt(intervalMs?: number): string;
  reservationKey: string;
  captureKey: string;
}

/** What a completed cycle may tell the loop: the interval an adaptive cadence chose for the next one. */
export type CycleOutcome = { adaptiveIntervalMs?: number } | void;

/** What differs between tracked creators and tracked videos: registration and the cycle's own steps. */
export interface TrackingSpec {
  register(state: Readonly<TrackingState>, reservationKey: string): Promise<RegistrationResult>;
  /** the paid steps after the reservation, ending with the activity that captures and records completion */
  runCycle(ctx: CycleContext): Promise<CycleOutcome>;
  /** false while the workflow watches work a new run could not (child jobs it started): continue-as-new waits */
  idle?(): boolean;
}

export const FAILURES_BEFORE_PAUSE = 3;
export const MAX_CYCLES_PER_RUN = 100;

/**
 * The failure kind recorded for a failed cycle: a provider's typed outcome, `misconfigured`, a timeout, or `error` for
 * anything else (an exception's class name, such as `Error` or `DatabaseError`, is not a kind anyone documents).
 */
export function failureOf(err: unknown): { kind: string; message: string } {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    const kind = cause.type && isFailureKind(cause.type) ? cause.type : 'error';
    return { kind, message: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    return { kind: 'timeout', message: cause.message || 'the step did not finish within its time limit' };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The entity loop shared by creator and video tracking: register (first reservation) → cycle → sleep for the cadence,
 * with pause/resume signals, patch and stop Updates, a state query, auto-pause after repeated failures or when the
 * balance cannot pay, and continue-as-new before history grows large.
 */
export async function runTracking(state: TrackingState, spec: TrackingSpec): Promise<TrackingView> {
  const workflowId = workflowInfo().workflowId;
  let registration: RegistrationResult | undefined = state.registered ? { registered: true } : undefined;
  let cycleRunning = false;
  let changed = false;
  let cyclesThisRun = 0;

  const view = (): TrackingView => ({
    id: state.id,
    resourceType: state.resourceType,
    platform: state.platform,
    status: state.status,
    pauseReason: state.pauseReason,
    cadence: state.cadence,
    cycle: state.cycle,
    cycleRunning,
    consecutiveFailures: state.consecutiveFailures,
    lastScrapedAt: state.lastScrapedAt,
    nextScrapeAt: state.nextScrapeAt,
  });

  const intervalMs = (): number =>
    state.cadence === 'adaptive' ? (state.adaptiveIntervalMs ?? ADAPTIVE_BOUNDS.minMs) : cadenceMs(state.cadence);

  const reschedule = (): void => {
    state.nextScrapeAt =
      state.status === 'active'
        ? nextRunAt(state.lastAttemptAt ? new Date(state.lastAttemptAt) : null, intervalMs(), new Date()).toISOString()
        : null;
  };

  const describe = (): void => {
    const lines = [
      `**${state.status}**${state.pauseReason ? ` (${state.pauseReason.replace(/_/g, ' ')})` : ''} · ${cadenceLabel(state.cadence)}` +
        (state.cadence === 'adaptive' ? ` (next interval ${Math.round(intervalMs() / 60_000)} min)` : ''),
      `last cycle: ${state.cycle === 0 ? 'none yet' : `#${state.cycle}${cycleRunning ? ' running' : ''}`}` +
        (state.lastScrapedAt ? `, last scraped ${state.lastScrapedAt}` : ''),
      `next run: ${state.nextScrapeAt ?? '—'}`,
      `consecutive failures: ${state.consecutiveFailures}`,
    ];
    setCurrentDetails(lines.join('\n'));
  };

  // upserted only when a value changes: every upsert is a history event
  let published = '';
  const publishAttributes = (): void => {
    const values = `${state.status}|${state.cadence}`;
    if (values === published) return;
    published = values;
    upsertSearchAttributes(trackingSearchAttributes(state));
  };

  /** Records a status/cadence/schedule change: search attributes, UI details and the read model. */
  const persist = async (pausedEvent?: PauseReason): Promise<void> => {
    state.version += 1;
    publishAttributes();
    describe();
    changed = true;
    if (!state.registered) return;
    await bookkeeping.saveTrackingState({
      resourceType: state.resourceType,
      id: state.id,
      teamId: state.teamId,
      status: state.status,
      pauseReason: state.pauseReason,
      cadence: state.cadence,
      nextScrapeAt: state.nextScrapeAt,
      consecutiveFailures: state.consecutiveFailures,
      version: state.version,
      pausedEvent: pausedEvent ? { reason: pausedEvent, eventKey: `${workflowId}:${state.cycle}:paused` } : undefined,
    });
  };

  const pause = (reason: PauseReason): void => {
    state.status = 'paused';
    state.pauseReason = reason;
    reschedule();
  };

  setHandler(stateQuery, view);
  setHandler(registrationUpdate, async () => {
    await condition(() => registration !== undefined);
    return registration as RegistrationResult;
  });
  setHandler(pauseSignal, async () => {
    if (state.status !== 'active') return;
    pause('manual');
    await persist();
  });
  setHandler(resumeSignal, async () => {
    if (state.status !== 'paused') return;
    state.status = 'active';
    state.pauseReason = null;
    state.consecutiveFailures = 0;
    reschedule();
    await persist();
  });
  setHandler(
    patchTrackingUpdate,
    async (patch) => {
      if (patch.cadence) state.cadence = patch.cadence;
      if (patch.status === 'paused' && state.status === 'active') pause('manual');
      if (patch.status === 'active' && state.status === 'paused') {
        state.status = 'active';
        state.pauseReason = null;
        state.consecutiveFailures = 0;
      }
      reschedule();
      await persist();
      return view();
    },
    {
      validator: (patch) => {
        if (state.status === 'stopped') throw new Error('tracking has been stopped');
        if (patch.cadence !== undefined && !isTrackingCadence(patch.cadence)) {
          throw new Error(`unknown cadence ${String(patch.cadence)}`);
        }
        if (patch.status !== undefined && patch.status !== 'active' && patch.status !== 'paused') {
          throw new Error(`status must be active or paused`);
        }
      },
    },
  );
  setHandler(
    stopTrackingUpdate,
    async () => {
      state.status = 'stopped';
      state.pauseReason = null;
      state.nextScrapeAt = null;
      await persist();
      return view();
    },
    {
      validator: () => {
        if (state.status === 'stopped') throw new Error('tracking has already been stopped');
      },
    },
  );

  const cycleKeys = (cycle: number) => ({
    reservationKey: `${workflowId}:${cycle}:reserve`,
    captureKey: `${workflowId}:${cycle}:capture`,
    refundKey: `${workflowId}:${cycle}:refund`,
  });

  const runCycle = async (): Promise<void> => {
    const cycle = state.cycle + 1;
    const cycleAt = new Date().toISOString();
    const keys = cycleKeys(cycle);
    if (!state.registered) {
      registration = await spec.register(state, keys.reservationKey);
      if (!registration.registered) {
        state.status = 'stopped';
        return;
      }
      state.registered = true;
    } else {
      const begun = await bookkeeping.beginCycle({
        resourceType: state.resourceType,
        id: state.id,
        teamId: state.teamId,
        cycle,
        amountCents: CYCLE_COST,
        reservationKey: keys.reservationKey,
        startedAt: cycleAt,
      });
      if (!begun.reserved) {
        pause('insufficient_credits');
        await persist('insufficient_credits');
        return;
      }
    }
    state.cycle = cycle;
    cycleRunning = true;
    describe();
    const versionAtStart = state.version;
    // the schedule is anchored to when the cycle was due, not when its task ran, so cycles do not drift
    const dueAt = state.nextScrapeAt !== null && state.nextScrapeAt <= cycleAt ? state.nextScrapeAt : cycleAt;
    const scheduleAfter = (ms: number = intervalMs()): string =>
      nextRunAt(new Date(dueAt), ms, new Date(cycleAt)).toISOString();
    try {
      const outcome = await spec.runCycle({ state, cycle, cycleAt, nextScrapeAt: scheduleAfter, ...keys });
      if (outcome?.adaptiveIntervalMs) state.adaptiveIntervalMs = outcome.adaptiveIntervalMs;
      state.consecutiveFailures = 0;
      state.lastScrapedAt = cycleAt;
    } catch (err) {
      if (isCancellation(err)) throw err;
      state.consecutiveFailures += 1;
      const autoPause = state.consecutiveFailures >= FAILURES_BEFORE_PAUSE && state.status === 'active';
      if (autoPause) pause('consecutive_failures');
      await bookkeeping.failCycle({
        resourceType: state.resourceType,
        id: state.id,
        teamId: state.teamId,
        cycle,
        reservationKey: keys.reservationKey,
        refundKey: keys.refundKey,
        failure: failureOf(err),
        consecutiveFailures: state.consecutiveFailures,
        startedAt: cycleAt,
        status: state.status,
        pauseReason: state.pauseReason,
        nextScrapeAt: state.status === 'active' ? scheduleAfter() : null,
        version: state.version,
        pausedEventKey: autoPause ? `${workflowId}:${cycle}:paused` : undefined,
      });
    } finally {
      cycleRunning = false;
    }
    state.lastAttemptAt = dueAt;
    reschedule();
    // a patch during the cycle wrote a schedule from before this cycle; write the current one
    if (state.version !== versionAtStart) await persist();
    describe();
  };

  // a function, not an inline comparison: handlers and cycles change the status between checks
  const stopped = (): boolean => state.status === 'stopped';
  // registration runs first whatever arrives before it: the API is waiting on its outcome
  const due = (): boolean =>
    !state.registered ||
    (state.status === 'active' && (state.nextScrapeAt === null || Date.parse(state.nextScrapeAt) <= Date.now()));

  const attributes = workflowInfo().typedSearchAttributes;
  if (attributes.get(TrackingStatusAttr) === state.status && attributes.get(ScrapeCadenceAttr) === state.cadence) {
    published = `${state.status}|${state.cadence}`;
  }
  publishAttributes();
  describe();
  while (!stopped()) {
    if (due()) {
      await runCycle();
      cyclesThisRun += 1;
    } else {
      changed = false;
      const waitMs = state.status === 'active' && state.nextScrapeAt ? Date.parse(state.nextScrapeAt) - Date.now() : 0;
      if (waitMs > 0) await condition(() => changed, waitMs);
      else await condition(() => changed);
    }
    const runLong = cyclesThisRun >= MAX_CYCLES_PER_RUN || workflowInfo().continueAsNewSuggested;
    if (!stopped() && runLong && (spec.idle?.() ?? true)) {
      await condition(allHandlersFinished);
      // handlers that ran while we waited may have changed state; the new run starts from exactly this state
      return continueAsNew<(s: TrackingState) => Promise<TrackingView>>(state);
    }
  }
  await condition(allHandlersFinished);
  return view();
}
