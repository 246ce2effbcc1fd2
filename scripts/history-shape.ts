/** One cycle as its history shows it: from the timer firing that started it to the timer it set for the next. */
export interface CycleShape {
  events: number;
  activities: number;
}

type EventType = number | string | null | undefined;

const name = (type: EventType): string =>
  typeof type === 'number' ? (EVENT_TYPE_NAMES[type] ?? String(type)) : String(type ?? '');

// the event types counted here by their enum values (temporal.api.enums.v1.EventType), so a history fetched by the
// SDK (numbers) reads like one the CLI wrote (names)
const EVENT_TYPE_NAMES: Record<number, string> = {
  10: 'ACTIVITY_TASK_SCHEDULED',
  17: 'TIMER_STARTED',
  18: 'TIMER_FIRED',
};

/**
 * The history cost of each steady-state cycle in a tracking workflow's history: the events from a `TIMER_FIRED` to
 * the next `TIMER_STARTED`, inclusive, and the activities scheduled between. A timer cancelled by a message (a patch,
 * a pause) does not start a cycle, so only fired timers open one; the first cycle (before any timer) is `first`.
 */
export function cycleShapes(events: readonly { eventType?: EventType }[]): {
  first: CycleShape | null;
  steady: CycleShape[];
} {
  const types = events.map((e) => name(e.eventType).replace(/^EVENT_TYPE_/, ''));
  const shapeOf = (from: number, to: number): CycleShape => ({
    events: to - from + 1,
    activities: types.slice(from, to + 1).filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length,
  });
  const firstTimer = types.indexOf('TIMER_STARTED');
  const steady: CycleShape[] = [];
  types.forEach((type, i) => {
    if (type !== 'TIMER_FIRED') return;
    const end = types.indexOf('TIMER_STARTED', i);
    if (end !== -1) steady.push(shapeOf(i, end));
  });
  return { first: firstTimer === -1 ? null : shapeOf(0, firstTimer), steady };
}
