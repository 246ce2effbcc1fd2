import { cadenceLabel, cadenceMs, isTrackingCadence, nextRunAt, type TrackingCadence } from '../domain/cadence';
import { ADAPTIVE_BOUNDS } from '../domain/trajectory';

/**
 * A tracked entity's state and every transition it can make, with no Temporal and no I/O: the workflow feeds it
 * messages and cycle outcomes, persists `record()` whenever it changes, and answers queries with `view()`. Time is
 * always passed in, so the same calls give the same state in a workflow, a replay and a unit test.
 */

export type TrackingStatus = 'active' | 'paused' | 'stopped';
export type PauseReason = 'manual' | 'consecutive_failures' | 'insufficient_credits';
/**
 * Why tracking stopped: `requested` (the API's DELETE or the stop Update), `cancelled` (cancellation, e.g. from the
 * Temporal UI), or how a workflow that ran no stopping code closed, as the reconciler found it.
 */
export const STOP_REASONS = ['requested', 'cancelled', 'terminated', 'timed_out', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];
export type TrackedResourceType = 'creator' | 'video';

export const FAILURES_BEFORE_PAUSE = 3;

/** Everything a run carries across continue-as-new. */
export interface TrackingState {
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  cadence: TrackingCadence;
  /** false until the first cycle's reservation and the read-model row exist */
  registered: boolean;
  /** number of the last cycle started (completed or failed) */
  cycle: number;
  lastScrapedAt: string | null;
  /** when the last cycle was due: the schedule is anchored to it, so cycles do not drift by their own duration */
  lastDueAt: string | null;
  nextScrapeAt: string | null;
  consecutiveFailures: number;
  /** the interval the trajectory chose last, when cadence is `adaptive` */
  adaptiveIntervalMs: number | null;
  /** automatic pauses so far: the n-th names its `tracking.paused` event, so each is announced once */
  autoPauses: number;
  /** set once stopped (absent from states carried by runs older than it) */
  stopReason?: StopReason | null;
  /** the text an operator gave with a manual pause (the pause signal's argument) */
  pauseNote?: string | null;
}

/** A change of status and/or cadence: the PATCH routes' body, in the workflow's own words. */
export interface TrackingPatch {
  status?: 'active' | 'paused';
  cadence?: TrackingCadence;
}

/** What the read model stores of the state; the workflow writes it whenever it differs from what it wrote last. */
export interface TrackingRecord {
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  cadence: TrackingCadence;
  nextScrapeAt: string | null;
  consecutiveFailures: number;
  /** set while paused automatically: which automatic pause, naming its `tracking.paused` event */
  autoPause: number | null;
  /** set once stopped */
  stopReason?: StopReason | null;
  /** an operator's text with a manual pause */
  pauseNote?: string | null;
}

/** The live state a tracking workflow reports: what the state query answers and what Updates return. */
export interface TrackingFields {
  status: TrackingStatus;
  pauseReason: PauseReason | null;
  cadence: TrackingCadence;
  cycle: number;
  cycleRunning: boolean;
  consecutiveFailures: number;
  lastScrapedAt: string | null;
  nextScrapeAt: string | null;
  stopReason: StopReason | null;
  /** the operator's text with a manual pause */
  pauseNote: string | null;
}

/** A cycle begun: its number, when it started (the snapshot's time) and when it was due. */
export interface CycleTicket {
  cycle: number;
  cycleAt: string;
  dueAt: string;
}

export function initialTracking(cadence: TrackingCadence): TrackingState {
  return {
    status: 'active',
    pauseReason: null,
    cadence,
    registered: false,
    cycle: 0,
    lastScrapedAt: null,
    lastDueAt: null,
    nextScrapeAt: null,
    consecutiveFailures: 0,
    adaptiveIntervalMs: null,
    autoPauses: 0,
    stopReason: null,
    pauseNote: null,
  };
}

export class TrackingMachine {
  /** a cycle is between `beginCycle` and its outcome (not carried: a run continues as new only between cycles) */
  private running = false;
  /** a cycle asked for now (the run-cycle Update), not yet begun */
  private forced = false;
  /** bumped by every transition, so a waiting loop wakes when anything changed */
  revision = 0;

  constructor(readonly state: TrackingState) {}

  /** A copy to try a transition on without making it. */
  clone(): TrackingMachine {
    const copy = new TrackingMachine({ ...this.state });
    copy.running = this.running;
    copy.forced = this.forced;
    return copy;
  }

  get stopped(): boolean {
    return this.state.status === 'stopped';
  }

  get cycleRunning(): boolean {
    return this.running;
  }

  intervalMs(): number {
    const s = this.state;
    return s.cadence === 'adaptive' ? (s.adaptiveIntervalMs ?? ADAPTIVE_BOUNDS.minMs) : cadenceMs(s.cadence);
  }

  view(): TrackingFields {
    const s = this.state;
    return {
      status: s.status,
      pauseReason: s.pauseReason,
      cadence: s.cadence,
      cycle: s.cycle,
      cycleRunning: this.running,
      consecutiveFailures: s.consecutiveFailures,
      lastScrapedAt: s.lastScrapedAt,
      nextScrapeAt: s.nextScrapeAt,
      stopReason: s.stopReason ?? null,
      pauseNote: s.pauseNote ?? null,
    };
  }

  record(): TrackingRecord {
    const s = this.state;
    const automatic = s.status === 'paused' && s.pauseReason !== null && s.pauseReason !== 'manual';
    return {
      status: s.status,
      pauseReason: s.pauseReason,
      cadence: s.cadence,
      nextScrapeAt: s.nextScrapeAt,
      consecutiveFailures: s.consecutiveFailures,
      autoPause: automatic ? s.autoPauses : null,
      stopReason: s.stopReason ?? null,
      pauseNote: s.pauseNote ?? null,
    };
  }

  /** Registration runs first whatever arrives before it (the API waits on its outcome); then cycles as scheduled. */
  isDue(now: Date): boolean {
    const s = this.state;
    if (this.running) return false;
    if (!s.registered) return true;
    if (this.stopped) return false;
    if (this.forced) return true;
    return s.status === 'active' && (s.nextScrapeAt === null || Date.parse(s.nextScrapeAt) <= now.getTime());
  }

  /** How long until the next cycle is due; undefined when none is scheduled (paused): only a message can wake it. */
  msUntilDue(now: Date): number | undefined {
    const s = this.state;
    if (s.status !== 'active' || s.nextScrapeAt === null) return undefined;
    return Math.max(0, Date.parse(s.nextScrapeAt) - now.getTime());
  }

  // ---- messages -------------------------------------------------------------------------------------------------

  /** Why a patch must be refused, if it must (the Update's validator). */
  rejectPatch(patch: TrackingPatch): string | undefined {
    if (this.stopped) return 'tracking has been stopped';
    if (patch.cadence !== undefined && !isTrackingCadence(patch.cadence)) {
      return `unknown cadence ${String(patch.cadence)}`;
    }
    if (patch.status !== undefined && patch.status !== 'active' && patch.status !== 'paused') {
      return 'status must be active or paused';
    }
    return undefined;
  }

  patch(patch: TrackingPatch, now: Date): void {
    if (this.stopped) return;
    if (patch.cadence) this.state.cadence = patch.cadence;
    if (patch.status === 'paused') this.pauseAs('manual');
    if (patch.status === 'active') this.unpause();
    this.changed(now);
  }

  /** A manual pause; an operator's text (the pause signal's argument) is kept beside the reason. */
  pause(now: Date, note?: string): void {
    if (this.state.status === 'active') {
      this.pauseAs('manual');
      this.state.pauseNote = typeof note === 'string' && note.trim() !== '' ? note.trim().slice(0, 500) : null;
    }
    this.changed(now);
  }

  resume(now: Date): void {
    this.unpause();
    this.changed(now);
  }

  rejectStop(): string | undefined {
    return this.stopped ? 'tracking has already been stopped' : undefined;
  }

  stop(reason: StopReason = 'requested'): void {
    this.state.status = 'stopped';
    this.state.stopReason = reason;
    this.state.pauseReason = null;
    this.state.pauseNote = null;
    this.state.nextScrapeAt = null;
    this.forced = false;
    this.revision += 1;
  }

  /** Cancelled: a cycle in flight ends with it (its settlement is the caller's), and tracking stops. */
  cancelled(): void {
    this.running = false;
    this.stop('cancelled');
  }

  /** Why a cycle cannot be run now, if it cannot (the run-cycle Update's validator). */
  rejectCycleNow(): string | undefined {
    if (this.stopped) return 'tracking has been stopped';
    if (!this.state.registered) return 'the first cycle has not started yet';
    if (this.running || this.forced) return 'a cycle is already running';
    return undefined;
  }

  /** Asks for a cycle at once, whatever the schedule or a pause; the schedule then continues from it. */
  requestCycle(): void {
    this.forced = true;
    this.revision += 1;
  }

  // ---- cycles ---------------------------------------------------------------------------------------------------

  beginCycle(now: Date): CycleTicket {
    const s = this.state;
    const cycleAt = now.toISOString();
    this.running = true;
    this.forced = false;
    s.cycle += 1;
    this.revision += 1;
    // a cycle that ran late is still anchored to when it was due
    const dueAt = s.nextScrapeAt !== null && s.nextScrapeAt <= cycleAt ? s.nextScrapeAt : cycleAt;
    return { cycle: s.cycle, cycleAt, dueAt };
  }

  /** The first cycle's registration was refused (already tracked, or no credits): this workflow has nothing to do. */
  registrationRefused(): void {
    this.running = false;
    this.state.cycle = 0;
    this.stop();
  }

  registered(): void {
    this.state.registered = true;
    this.revision += 1;
  }

  succeeded(ticket: CycleTicket, now: Date, adaptiveIntervalMs?: number): this {
    const s = this.state;
    if (adaptiveIntervalMs) s.adaptiveIntervalMs = adaptiveIntervalMs;
    s.consecutiveFailures = 0;
    s.lastScrapedAt = ticket.cycleAt;
    return this.ended(ticket, now);
  }

  /** A failed cycle; the third in a row pauses tracking while it is active. */
  failed(ticket: CycleTicket, now: Date): this {
    const s = this.state;
    s.consecutiveFailures += 1;
    if (s.consecutiveFailures >= FAILURES_BEFORE_PAUSE && s.status === 'active')
      this.pauseAutomatically('consecutive_failures');
    return this.ended(ticket, now);
  }

  /** The balance could not pay for the cycle: nothing ran, its number is not used, tracking pauses. */
  refused(ticket: CycleTicket, now: Date): this {
    this.running = false;
    this.state.cycle = ticket.cycle - 1;
    if (this.state.status === 'active') this.pauseAutomatically('insufficient_credits');
    this.changed(now);
    return this;
  }

  /**
   * The Temporal UI's current details: `summary` (the one line the start gave as static summary, which a run continued
   * as new does not carry) and then the entity's state.
   */
  describe(summary?: string): string {
    const s = this.state;
    const why = s.status === 'paused' ? s.pauseReason : s.status === 'stopped' ? s.stopReason : null;
    const note = s.status === 'paused' && s.pauseNote ? `: ${s.pauseNote}` : '';
    const status =
      `**${s.status}**${why ? ` (${why.replace(/_/g, ' ')}${note})` : ''} · ${cadenceLabel(s.cadence)}` +
      (s.cadence === 'adaptive' ? ` (next interval ${Math.round(this.intervalMs() / 60_000)} min)` : '');
    return [
      ...(summary === undefined ? [] : [summary]),
      status,
      `last cycle: ${s.cycle === 0 ? 'none yet' : `#${s.cycle}${this.running ? ' running' : ''}`}` +
        (s.lastScrapedAt ? `, last scraped ${s.lastScrapedAt}` : ''),
      `next run: ${s.nextScrapeAt ?? '—'}`,
      `consecutive failures: ${s.consecutiveFailures}`,
    ].join('\n');
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  private ended(ticket: CycleTicket, now: Date): this {
    this.running = false;
    this.state.lastDueAt = ticket.dueAt;
    this.changed(now);
    return this;
  }

  private pauseAs(reason: PauseReason): void {
    if (this.state.status !== 'active') return;
    this.state.status = 'paused';
    this.state.pauseReason = reason;
  }

  private pauseAutomatically(reason: Exclude<PauseReason, 'manual'>): void {
    this.state.autoPauses += 1;
    this.pauseAs(reason);
  }

  private unpause(): void {
    if (this.state.status !== 'paused') return;
    this.state.status = 'active';
    this.state.pauseReason = null;
    this.state.pauseNote = null;
    this.state.consecutiveFailures = 0;
  }

  /** After any transition: the next run follows from the anchor and the interval, or there is none. */
  private changed(now: Date): void {
    const s = this.state;
    s.nextScrapeAt =
      s.status === 'active'
        ? nextRunAt(s.lastDueAt ? new Date(s.lastDueAt) : null, this.intervalMs(), now).toISOString()
        : null;
    this.revision += 1;
  }
}
