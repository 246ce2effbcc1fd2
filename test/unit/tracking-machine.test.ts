import fc from 'fast-check';
import { VIDEO_CADENCES, type TrackingCadence } from '../../domain/cadence';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../../domain/time';
import { ADAPTIVE_BOUNDS } from '../../domain/trajectory';
import {
  FAILURES_BEFORE_PAUSE,
  initialTracking,
  TrackingMachine,
  type CycleTicket,
  type TrackingPatch,
  type TrackingState,
} from '../../workflows/tracking-machine';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(T0 + ms);
const iso = (ms: number): string => at(ms).toISOString();

/** A machine whose registration cycle began and succeeded at T0: next run due at T0 + interval. */
function registered(cadence: TrackingCadence = 'daily'): TrackingMachine {
  const m = new TrackingMachine(initialTracking(cadence));
  const ticket = m.beginCycle(at(0));
  m.registered();
  m.succeeded(ticket, at(0));
  return m;
}

/** Runs one cycle at `ms`, which must be due, and fails it. */
function failAt(m: TrackingMachine, ms: number): void {
  expect(m.isDue(at(ms))).toBe(true);
  m.failed(m.beginCycle(at(ms)), at(ms));
}

describe('TrackingMachine messages', () => {
  it('pauses only an active entity, manually, and keeps an automatic reason', () => {
    const m = registered();
    m.pause(at(HOUR));
    expect(m.view()).toMatchObject({ status: 'paused', pauseReason: 'manual', nextScrapeAt: null });
    expect(m.record().autoPause).toBeNull();
    expect(m.isDue(at(5 * DAY))).toBe(false);

    const auto = registered();
    for (let i = 1; i <= FAILURES_BEFORE_PAUSE; i++) failAt(auto, i * DAY);
    auto.pause(at(4 * DAY));
    expect(auto.state.pauseReason).toBe('consecutive_failures');
  });

  it('resumes only a paused entity: clears the reason and failures, and is due at once when overdue', () => {
    const m = registered();
    failAt(m, DAY);
    m.pause(at(DAY + HOUR));
    expect(m.state.consecutiveFailures).toBe(1);
    m.resume(at(5 * DAY));
    expect(m.view()).toMatchObject({ status: 'active', pauseReason: null, consecutiveFailures: 0 });
    expect(m.state.nextScrapeAt).toBe(iso(5 * DAY));
    expect(m.isDue(at(5 * DAY))).toBe(true);

    const early = registered();
    early.pause(at(HOUR));
    early.resume(at(2 * HOUR));
    expect(early.state.nextScrapeAt).toBe(iso(DAY)); // not overdue: back on the schedule
    early.resume(at(3 * HOUR)); // already active: nothing changes
    expect(early.view()).toMatchObject({ status: 'active', nextScrapeAt: iso(DAY) });
  });

  it('reschedules a cadence change from the last due time, and patches the status', () => {
    const m = registered('daily');
    m.patch({ cadence: 'weekly' }, at(HOUR));
    expect(m.state.nextScrapeAt).toBe(iso(7 * DAY));
    m.patch({ cadence: 'six_hours' }, at(8 * HOUR));
    expect(m.state.nextScrapeAt).toBe(iso(8 * HOUR)); // T0 + 6h has passed: due now
    m.patch({ status: 'paused', cadence: 'twelve_hours' }, at(9 * HOUR));
    expect(m.view()).toMatchObject({ status: 'paused', pauseReason: 'manual', cadence: 'twelve_hours' });
    expect(m.state.nextScrapeAt).toBeNull();
    m.patch({ status: 'active' }, at(10 * HOUR));
    expect(m.view()).toMatchObject({ status: 'active', pauseReason: null, nextScrapeAt: iso(12 * HOUR) });
  });

  it('stops for good: no schedule, and every later message is refused or ignored', () => {
    const m = registered();
    m.pause(at(HOUR));
    expect(m.rejectStop()).toBeUndefined();
    m.stop();
    expect(m.view()).toMatchObject({ status: 'stopped', pauseReason: null, nextScrapeAt: null });
    expect(m.rejectStop()).toBe('tracking has already been stopped');
    expect(m.rejectPatch({ cadence: 'daily' })).toBe('tracking has been stopped');
    const before = { ...m.state };
    m.patch({ status: 'active', cadence: 'weekly' }, at(2 * HOUR));
    m.resume(at(3 * HOUR));
    m.pause(at(4 * HOUR));
    expect(m.state).toEqual(before);
    expect(m.isDue(at(30 * DAY))).toBe(false);
    expect(m.msUntilDue(at(30 * DAY))).toBeUndefined();
  });

  it('explains why a patch is refused', () => {
    const m = registered();
    expect(m.rejectPatch({ status: 'paused', cadence: 'adaptive' })).toBeUndefined();
    expect(m.rejectPatch({ cadence: 'hourly' as TrackingCadence })).toBe('unknown cadence hourly');
    expect(m.rejectPatch({ status: 'stopped' as 'paused' })).toBe('status must be active or paused');
  });
});

describe('TrackingMachine cycles', () => {
  it('registers first, even when paused, and stops when registration is refused', () => {
    const m = new TrackingMachine(initialTracking('daily'));
    m.pause(at(0));
    expect(m.isDue(at(0))).toBe(true);
    const ticket = m.beginCycle(at(HOUR));
    expect(ticket).toEqual({ cycle: 1, cycleAt: iso(HOUR), dueAt: iso(HOUR) });
    m.registered();
    m.succeeded(ticket, at(2 * HOUR));
    expect(m.view()).toMatchObject({ status: 'paused', lastScrapedAt: iso(HOUR), nextScrapeAt: null });
    expect(m.isDue(at(2 * HOUR))).toBe(false);

    const refused = new TrackingMachine(initialTracking('daily'));
    refused.beginCycle(at(0));
    refused.registrationRefused();
    expect(refused.view()).toMatchObject({ status: 'stopped', cycle: 0, cycleRunning: false, nextScrapeAt: null });
    expect(refused.rejectStop()).toBe('tracking has already been stopped');

    const stoppedFirst = new TrackingMachine(initialTracking('daily'));
    stoppedFirst.stop();
    expect(stoppedFirst.isDue(at(0))).toBe(true); // registration still runs: the API is waiting on its outcome
  });

  it('anchors a late cycle to when it was due, and the next run to that time plus the interval', () => {
    const m = registered('daily');
    expect(m.state.nextScrapeAt).toBe(iso(DAY));
    const late = m.beginCycle(at(DAY + 2 * HOUR));
    expect(late).toEqual({ cycle: 2, cycleAt: iso(DAY + 2 * HOUR), dueAt: iso(DAY) });
    m.succeeded(late, at(DAY + 3 * HOUR));
    expect(m.state.nextScrapeAt).toBe(iso(2 * DAY)); // not cycleAt + 1 day
    expect(m.state.lastScrapedAt).toBe(iso(DAY + 2 * HOUR));
  });

  it('uses the adaptive interval a success chose, and resets failures on success', () => {
    const m = registered('adaptive');
    expect(m.intervalMs()).toBe(ADAPTIVE_BOUNDS.minMs);
    failAt(m, HOUR);
    failAt(m, 2 * HOUR);
    const ticket = m.beginCycle(at(3 * HOUR));
    m.succeeded(ticket, at(3 * HOUR), 5 * HOUR);
    expect(m.intervalMs()).toBe(5 * HOUR);
    expect(m.state).toMatchObject({ consecutiveFailures: 0, lastDueAt: iso(3 * HOUR), nextScrapeAt: iso(8 * HOUR) });
  });

  it('pauses automatically on the third failure in a row, naming each automatic pause once', () => {
    const m = registered();
    failAt(m, DAY);
    failAt(m, 2 * DAY);
    expect(m.record()).toMatchObject({ status: 'active', consecutiveFailures: 2, autoPause: null });
    failAt(m, 3 * DAY);
    expect(m.record()).toMatchObject({ status: 'paused', pauseReason: 'consecutive_failures', autoPause: 1 });
    expect(m.isDue(at(30 * DAY))).toBe(false); // no fourth failure: nothing runs while paused
    m.patch({ cadence: 'weekly' }, at(4 * DAY));
    expect(m.record().autoPause).toBe(1); // same pause, same name

    m.resume(at(5 * DAY));
    expect(m.state.nextScrapeAt).toBe(iso(10 * DAY)); // the last failure was due at day 3, now weekly
    for (const day of [10, 17, 24]) failAt(m, day * DAY);
    expect(m.record()).toMatchObject({ pauseReason: 'consecutive_failures', autoPause: 2 });
    m.resume(at(30 * DAY));
    m.pause(at(30 * DAY));
    expect(m.record()).toMatchObject({ pauseReason: 'manual', autoPause: null });
  });

  it('counts a failure while paused by hand without pausing automatically', () => {
    const m = registered();
    failAt(m, DAY);
    failAt(m, 2 * DAY);
    const ticket = m.beginCycle(at(3 * DAY));
    m.pause(at(3 * DAY + HOUR));
    m.failed(ticket, at(3 * DAY + 2 * HOUR));
    expect(m.record()).toMatchObject({ pauseReason: 'manual', consecutiveFailures: 3, autoPause: null });
    expect(m.state.autoPauses).toBe(0);
  });

  it('pauses for insufficient credits without using the cycle number', () => {
    const m = registered();
    const ticket = m.beginCycle(at(DAY));
    expect(m.state.cycle).toBe(2);
    m.refused(ticket, at(DAY));
    expect(m.state.cycle).toBe(1);
    expect(m.record()).toMatchObject({ status: 'paused', pauseReason: 'insufficient_credits', autoPause: 1 });
    m.resume(at(2 * DAY));
    expect(m.beginCycle(at(2 * DAY)).cycle).toBe(2);
  });

  it('reports a running cycle, is never due during one, and has no wait when paused or stopped', () => {
    const m = registered();
    expect(m.msUntilDue(at(HOUR))).toBe(DAY - HOUR);
    expect(m.msUntilDue(at(2 * DAY))).toBe(0);
    const ticket = m.beginCycle(at(2 * DAY));
    expect(m.view().cycleRunning).toBe(true);
    expect(m.describe()).toContain('#2 running');
    expect(m.isDue(at(9 * DAY))).toBe(false);
    m.succeeded(ticket, at(2 * DAY));
    expect(m.view().cycleRunning).toBe(false);
    m.pause(at(2 * DAY));
    expect(m.msUntilDue(at(2 * DAY))).toBeUndefined();
    m.stop();
    expect(m.msUntilDue(at(2 * DAY))).toBeUndefined();
  });

  it('clones without sharing state', () => {
    const m = registered();
    const ticket = m.beginCycle(at(DAY));
    const copy = m.clone();
    expect(copy.state).toEqual(m.state);
    expect(copy.cycleRunning).toBe(true);
    copy.failed(ticket, at(DAY));
    copy.patch({ status: 'paused', cadence: 'weekly' }, at(DAY));
    expect(m.view()).toMatchObject({ status: 'active', cadence: 'daily', consecutiveFailures: 0, cycleRunning: true });
  });
});

// ---- properties: any sequence of messages and cycle outcomes, in the order the workflow can deliver them --------

type Outcome = 'succeeded' | 'failed' | 'refused';
type Op =
  | { kind: 'patch'; patch: TrackingPatch }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'stop' }
  | { kind: 'tick'; outcome: Outcome; adaptiveMs?: number; registers: boolean };
type Step = Op & { dt: number };
type Event =
  | { type: 'message' | 'wait' }
  | { type: 'begin'; ticket: CycleTicket }
  | { type: 'end'; ticket: CycleTicket; outcome: Outcome };

const cadenceArb = fc.constantFrom(...VIDEO_CADENCES);
const weighted = <T>(...pairs: [T, number][]) =>
  fc.oneof(...pairs.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
// mostly cycles, failing often enough to reach automatic pauses; stops and refused registrations are rare
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('patch' as const),
      patch: fc.record({ status: fc.constantFrom('active', 'paused'), cadence: cadenceArb }, { requiredKeys: [] }),
    }),
    weight: 2,
  },
  { arbitrary: weighted<Op>([{ kind: 'pause' }, 3], [{ kind: 'resume' }, 3], [{ kind: 'stop' }, 1]), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      outcome: weighted<Outcome>(['succeeded', 3], ['failed', 6], ['refused', 1]),
      adaptiveMs: fc.option(fc.integer({ min: ADAPTIVE_BOUNDS.minMs, max: ADAPTIVE_BOUNDS.maxMs }), { nil: undefined }),
      registers: weighted([true, 9], [false, 1]),
    }),
    weight: 24,
  },
);
const dtArb = fc.oneof(
  fc.integer({ min: 0, max: 180 * 60_000 }),
  fc.integer({ min: 0, max: 240 }).map((h) => h * HOUR),
);
const stepsArb = fc.array(
  fc.tuple(opArb, dtArb).map(([op, dt]): Step => ({ ...op, dt })),
  { maxLength: 60, size: 'max' },
);

type Check = (m: TrackingMachine, before: TrackingState, e: Event, now: number) => void;

/** Applies steps at increasing times, calling `check` after each. */
function run(cadence: TrackingCadence, steps: Step[], check?: Check): TrackingMachine {
  const m = new TrackingMachine(initialTracking(cadence));
  let now = T0;
  let running: CycleTicket | null = null;
  for (const step of steps) {
    const date = new Date((now += step.dt));
    const before = { ...m.state };
    let event: Event = { type: 'message' };
    // messages go straight in (stopped must ignore them); a tick ends the running cycle or begins a due one
    if (step.kind === 'patch') m.patch(step.patch, date);
    else if (step.kind === 'pause') m.pause(date);
    else if (step.kind === 'resume') m.resume(date);
    else if (step.kind === 'stop') m.stop();
    else if (running) {
      if (step.outcome === 'succeeded') m.succeeded(running, date, step.adaptiveMs);
      else m[step.outcome](running, date);
      event = { type: 'end', ticket: running, outcome: step.outcome };
      running = null;
    } else if (m.isDue(date)) {
      const registering = !m.state.registered;
      running = m.beginCycle(date);
      event = { type: 'begin', ticket: running };
      if (registering && step.registers) m.registered();
      if (registering && !step.registers) {
        m.registrationRefused();
        running = null;
      }
    } else event = { type: 'wait' };
    check?.(m, before, event, now);
    if (m.stopped && !m.state.registered) break; // a refused registration ends the workflow
  }
  return m;
}

function checkInvariants(m: TrackingMachine, now: number): void {
  const s = m.state;
  const date = new Date(now);
  expect(['active', 'paused', 'stopped']).toContain(s.status);
  expect(s.pauseReason !== null).toBe(s.status === 'paused');
  if (s.status !== 'active') expect(s.nextScrapeAt).toBeNull();
  if (s.status === 'active' && s.registered && !m.cycleRunning) expect(s.nextScrapeAt).not.toBeNull();
  if (s.status === 'active' && s.nextScrapeAt !== null && s.lastDueAt !== null) {
    expect(Date.parse(s.nextScrapeAt)).toBeGreaterThanOrEqual(Date.parse(s.lastDueAt) + m.intervalMs());
  }
  if (s.lastDueAt !== null) expect(Date.parse(s.lastDueAt)).toBeLessThanOrEqual(now);
  // failures reach 3 only while paused (or stopped) by a message that arrived during the failing cycle
  expect(s.consecutiveFailures).toBeLessThanOrEqual(FAILURES_BEFORE_PAUSE);
  if (s.status === 'active') expect(s.consecutiveFailures).toBeLessThan(FAILURES_BEFORE_PAUSE);
  if (m.cycleRunning || (m.stopped && s.registered)) expect(m.isDue(date)).toBe(false);
  else if (!s.registered) expect(m.isDue(date)).toBe(true);
  const wait = m.msUntilDue(date);
  if (s.status !== 'active' || s.nextScrapeAt === null) expect(wait).toBeUndefined();
  else expect(wait).toBe(Math.max(0, Date.parse(s.nextScrapeAt) - now));
  if (s.registered && !m.cycleRunning && s.status === 'active') expect(m.isDue(date)).toBe(wait === 0);
  expect([m.rejectStop() !== undefined, m.rejectPatch({}) !== undefined]).toEqual([m.stopped, m.stopped]);
  const { registered: _r, lastDueAt: _d, adaptiveIntervalMs: _a, autoPauses, ...viewed } = s;
  expect(m.view()).toEqual({ ...viewed, cycleRunning: m.cycleRunning });
  const { cycle: _c, lastScrapedAt: _l, ...recorded } = viewed;
  const automatic = s.pauseReason === 'consecutive_failures' || s.pauseReason === 'insufficient_credits';
  expect(m.record()).toEqual({ ...recorded, autoPause: automatic ? autoPauses : null });
}

const checkStep: Check = (m, before, e, now) => {
  const s = m.state;
  checkInvariants(m, now);
  if (before.status === 'stopped') expect(s.status).toBe('stopped');
  if (before.status === 'stopped' && e.type === 'message') expect(s).toEqual(before);
  const autoPaused = before.status === 'active' && s.status === 'paused' && s.pauseReason !== 'manual';
  expect(s.autoPauses).toBe(before.autoPauses + (autoPaused ? 1 : 0));
  if (e.type === 'message' && before.status === 'active' && s.status === 'paused') expect(s.pauseReason).toBe('manual');
  if (e.type === 'message' && before.status === 'paused' && s.status === 'active') {
    expect(s).toMatchObject({ pauseReason: null, consecutiveFailures: 0 });
  }
  if (e.type === 'begin') {
    expect(e.ticket).toMatchObject({ cycle: before.cycle + 1, cycleAt: new Date(now).toISOString() });
    // a refused registration gives its number back: no cycle ran
    expect(s.cycle).toBe(s.registered ? before.cycle + 1 : before.cycle);
    // a due cycle is anchored to its scheduled time (never after it starts), a first one to its start
    expect(e.ticket.dueAt).toBe(before.nextScrapeAt ?? e.ticket.cycleAt);
    expect(e.ticket.dueAt <= e.ticket.cycleAt).toBe(true);
    expect(m.cycleRunning).toBe(s.registered); // running, unless registration was refused
  } else if (e.type === 'end') {
    expect(m.cycleRunning).toBe(false);
    expect(s.cycle).toBe(e.outcome === 'refused' ? e.ticket.cycle - 1 : e.ticket.cycle);
    if (e.outcome === 'succeeded') expect(s).toMatchObject({ consecutiveFailures: 0, lastScrapedAt: e.ticket.cycleAt });
    if (e.outcome === 'failed') expect(s.consecutiveFailures).toBe(before.consecutiveFailures + 1);
    if (e.outcome !== 'refused') expect(s.lastDueAt).toBe(e.ticket.dueAt);
    if (e.outcome !== 'refused' && s.status === 'active') {
      expect(s.nextScrapeAt).toBe(new Date(Math.max(Date.parse(e.ticket.dueAt) + m.intervalMs(), now)).toISOString());
    }
  } else expect(s.cycle).toBe(before.cycle);
};

describe('TrackingMachine properties', () => {
  it('keeps its invariants after any sequence of messages and cycle outcomes', () => {
    fc.assert(
      fc.property(cadenceArb, stepsArb, (cadence, steps) => void run(cadence, steps, checkStep)),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same sequence gives the same state', () => {
    fc.assert(
      fc.property(cadenceArb, stepsArb, (cadence, steps) => {
        const [a, b] = [run(cadence, steps), run(cadence, steps)];
        expect(b.state).toEqual(a.state);
        expect([b.view(), b.record(), b.describe(), b.revision]).toEqual([
          a.view(),
          a.record(),
          a.describe(),
          a.revision,
        ]);
      }),
    );
  });
});

describe('TrackingMachine operator actions', () => {
  it('runs a cycle now, paused or not, once at a time, and the schedule continues from it', () => {
    const m = registered('daily');
    expect(m.rejectCycleNow()).toBeUndefined();
    m.requestCycle();
    expect(m.rejectCycleNow()).toBe('a cycle is already running');
    expect(m.isDue(at(HOUR))).toBe(true);
    const ticket = m.beginCycle(at(HOUR));
    expect(ticket.dueAt).toBe(iso(HOUR));
    expect(m.rejectCycleNow()).toBe('a cycle is already running');
    m.succeeded(ticket, at(HOUR));
    expect(m.view().nextScrapeAt).toBe(iso(HOUR + DAY));
    expect(m.isDue(at(2 * HOUR))).toBe(false);

    m.pause(at(2 * HOUR), 'brand review');
    m.requestCycle();
    expect(m.isDue(at(2 * HOUR))).toBe(true);
    m.succeeded(m.beginCycle(at(2 * HOUR)), at(2 * HOUR));
    expect(m.view()).toMatchObject({ status: 'paused', pauseReason: 'manual', pauseNote: 'brand review' });
    expect(m.isDue(at(3 * DAY))).toBe(false);
  });

  it('keeps an operator’s pause text beside `manual` until resumed, and names why it stopped', () => {
    const m = registered('daily');
    m.pause(at(HOUR), '  brand review  ');
    expect(m.record()).toMatchObject({ status: 'paused', pauseReason: 'manual', pauseNote: 'brand review' });
    expect(m.describe('tiktok @a · daily').split('\n').slice(0, 2)).toEqual([
      'tiktok @a · daily',
      '**paused** (manual: brand review) · daily',
    ]);
    m.resume(at(2 * HOUR));
    expect(m.record()).toMatchObject({ status: 'active', pauseReason: null, pauseNote: null });

    m.beginCycle(at(DAY));
    m.cancelled();
    expect(m.view()).toMatchObject({ status: 'stopped', stopReason: 'cancelled', cycleRunning: false });
    expect(m.rejectCycleNow()).toBe('tracking has been stopped');
    expect(registeredStop().record().stopReason).toBe('requested');
  });
});

function registeredStop(): TrackingMachine {
  const m = registered('daily');
  m.stop();
  return m;
}
